"""Analysis of dynamics: rest points, stability, corner conditions and attractors."""
