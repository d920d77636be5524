/* SIMD reference for benchmarks/bench_simd.py: Dormand-Prince 5(4) on a 2x2x2 cube game.
 *
 * Problem (the package's log-ratio chart): u_i' = Delta_i(x(u)), x_i = 1 / (1 + exp(-u_i)),
 * i = 0, 1, 2, with Delta_i multilinear in x:
 *   Delta_i(x) = c[i][0] + c[i][1] x0 + c[i][2] x1 + c[i][3] x2
 *              + c[i][4] x0 x1 + c[i][5] x0 x2 + c[i][6] x1 x2 + c[i][7] x0 x1 x2.
 * Each trajectory has its own step-size control, exactly scipy's RK45 (initial step, error
 * norm, step factors); LANES trajectories advance together in structure-of-arrays lanes (the
 * inner loops over lanes are fixed-width, so gcc vectorises them), every OpenMP thread runs one
 * lane group and refills a finished lane with the next trajectory of a shared queue.
 * Benchmark code only: never a dependency of the package. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <omp.h>

#define LANES 16
#define D 3

static const double A21 = 1.0 / 5;
static const double A31 = 3.0 / 40, A32 = 9.0 / 40;
static const double A41 = 44.0 / 45, A42 = -56.0 / 15, A43 = 32.0 / 9;
static const double A51 = 19372.0 / 6561, A52 = -25360.0 / 2187, A53 = 64448.0 / 6561, A54 = -212.0 / 729;
static const double A61 = 9017.0 / 3168, A62 = -355.0 / 33, A63 = 46732.0 / 5247, A64 = 49.0 / 176,
                    A65 = -5103.0 / 18656;
static const double B1 = 35.0 / 384, B3 = 500.0 / 1113, B4 = 125.0 / 192, B5 = -2187.0 / 6784, B6 = 11.0 / 84;
static const double E1 = -71.0 / 57600, E3 = 71.0 / 16695, E4 = -71.0 / 1920, E5 = 17253.0 / 339200,
                    E6 = -22.0 / 525, E7 = 1.0 / 40;

typedef struct { double v[D][LANES]; } block;

/* isfinite by the exponent bits: still a real test under -ffast-math (which assumes finite values). */
static inline int is_finite_bits(double x) {
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return (b & 0x7ff0000000000000ULL) != 0x7ff0000000000000ULL;
}

static inline void rhs(const double *restrict c, const block *restrict u, block *restrict f) {
    const double c00 = c[0], c01 = c[1], c02 = c[2], c03 = c[3], c04 = c[4], c05 = c[5], c06 = c[6], c07 = c[7];
    const double c10 = c[8], c11 = c[9], c12 = c[10], c13 = c[11], c14 = c[12], c15 = c[13], c16 = c[14],
                 c17 = c[15];
    const double c20 = c[16], c21 = c[17], c22 = c[18], c23 = c[19], c24 = c[20], c25 = c[21], c26 = c[22],
                 c27 = c[23];
    for (int l = 0; l < LANES; l++) {
        double x0 = 1.0 / (1.0 + exp(-u->v[0][l]));
        double x1 = 1.0 / (1.0 + exp(-u->v[1][l]));
        double x2 = 1.0 / (1.0 + exp(-u->v[2][l]));
        double x01 = x0 * x1, x02 = x0 * x2, x12 = x1 * x2, x012 = x01 * x2;
        f->v[0][l] = c00 + c01 * x0 + c02 * x1 + c03 * x2 + c04 * x01 + c05 * x02 + c06 * x12 + c07 * x012;
        f->v[1][l] = c10 + c11 * x0 + c12 * x1 + c13 * x2 + c14 * x01 + c15 * x02 + c16 * x12 + c17 * x012;
        f->v[2][l] = c20 + c21 * x0 + c22 * x1 + c23 * x2 + c24 * x01 + c25 * x02 + c26 * x12 + c27 * x012;
    }
}

static inline void rhs1(const double *c, const double *u, double *f) {
    double x0 = 1.0 / (1.0 + exp(-u[0])), x1 = 1.0 / (1.0 + exp(-u[1])), x2 = 1.0 / (1.0 + exp(-u[2]));
    for (int i = 0; i < D; i++) {
        const double *ci = c + 8 * i;
        f[i] = ci[0] + ci[1] * x0 + ci[2] * x1 + ci[3] * x2 + ci[4] * x0 * x1 + ci[5] * x0 * x2 +
               ci[6] * x1 * x2 + ci[7] * x0 * x1 * x2;
    }
}

/* scipy.integrate._ivp.common.select_initial_step for order 4 (error exponent 1/5). */
static double initial_step(const double *c, const double *u, const double *f0, double length, double rtol,
                           double atol) {
    double sc[D], d0 = 0, d1 = 0, y1[D], f1[D], d2 = 0;
    for (int a = 0; a < D; a++) {
        sc[a] = atol + fabs(u[a]) * rtol;
        d0 += (u[a] / sc[a]) * (u[a] / sc[a]);
        d1 += (f0[a] / sc[a]) * (f0[a] / sc[a]);
    }
    d0 = sqrt(d0 / D);
    d1 = sqrt(d1 / D);
    double h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1;
    if (h0 > length) h0 = length;
    for (int a = 0; a < D; a++) y1[a] = u[a] + h0 * f0[a];
    rhs1(c, y1, f1);
    for (int a = 0; a < D; a++) d2 += ((f1[a] - f0[a]) / sc[a]) * ((f1[a] - f0[a]) / sc[a]);
    d2 = sqrt(d2 / D) / h0;
    double m = d1 > d2 ? d1 : d2;
    double h1 = (d1 <= 1e-15 && d2 <= 1e-15) ? fmax(1e-6, h0 * 1e-3) : pow(0.01 / m, 0.2);
    double h = 100 * h0 < h1 ? 100 * h0 : h1;
    return h < length ? h : length;
}

/* Integrates n trajectories from U0 (n x 3, chart coordinates) over [t0, t1]; writes the final shares
 * to X (n x 3, NaN on failure), status (0 ok, -1 step too small, -2 max_steps, -3 non-finite) and
 * steps (accepted + rejected). Returns the number of threads used. */
int dp45_ensemble(int64_t n, const double *U0, const double *c, double t0, double t1, double rtol, double atol,
                  int64_t max_steps, double *X, int32_t *status, int64_t *steps, int nthreads) {
    int64_t next = 0;
    int used = 1;
    if (nthreads > 0) omp_set_num_threads(nthreads);
#pragma omp parallel
    {
#pragma omp single nowait
        used = omp_get_num_threads();
        block u, k1, k2, k3, k4, k5, k6, k7, s;
        double t[LANES], h_abs[LANES], hh[LANES], tn_[LANES];
        int64_t who[LANES], nst[LANES];
        int rej[LANES], live[LANES];
        int active = 0;
        for (int l = 0; l < LANES; l++) live[l] = 0;
        for (;;) {
            /* refill free lanes from the queue */
            for (int l = 0; l < LANES; l++) {
                if (live[l]) continue;
                int64_t j = __atomic_fetch_add(&next, 1, __ATOMIC_RELAXED);
                if (j >= n) {
                    for (int a = 0; a < D; a++) { u.v[a][l] = 0; k1.v[a][l] = 0; }
                    hh[l] = 0;
                    t[l] = t0;
                    continue;
                }
                double uu[D], ff[D];
                for (int a = 0; a < D; a++) uu[a] = U0[3 * j + a];
                rhs1(c, uu, ff);
                for (int a = 0; a < D; a++) { u.v[a][l] = uu[a]; k1.v[a][l] = ff[a]; }
                h_abs[l] = initial_step(c, uu, ff, t1 - t0, rtol, atol);
                t[l] = t0;
                who[l] = j;
                nst[l] = 0;
                rej[l] = 0;
                live[l] = 1;
                active++;
            }
            if (active == 0) break;
            for (int l = 0; l < LANES; l++) {
                if (!live[l]) continue;
                double min_step = 10 * fabs(nextafter(t[l], INFINITY) - t[l]);
                if (!rej[l] && h_abs[l] < min_step) h_abs[l] = min_step;
                double tn = t[l] + h_abs[l];
                if (tn > t1) tn = t1;
                tn_[l] = tn;
                hh[l] = tn - t[l];
                h_abs[l] = fabs(hh[l]);
            }
#define STAGE(dst, expr)                                                                                      \
    for (int a = 0; a < D; a++)                                                                               \
        _Pragma("omp simd") for (int l = 0; l < LANES; l++) s.v[a][l] = u.v[a][l] + hh[l] * (expr);          \
    rhs(c, &s, &dst);
            STAGE(k2, A21 * k1.v[a][l])
            STAGE(k3, A31 * k1.v[a][l] + A32 * k2.v[a][l])
            STAGE(k4, A41 * k1.v[a][l] + A42 * k2.v[a][l] + A43 * k3.v[a][l])
            STAGE(k5, A51 * k1.v[a][l] + A52 * k2.v[a][l] + A53 * k3.v[a][l] + A54 * k4.v[a][l])
            STAGE(k6, A61 * k1.v[a][l] + A62 * k2.v[a][l] + A63 * k3.v[a][l] + A64 * k4.v[a][l] +
                          A65 * k5.v[a][l])
            STAGE(k7, B1 * k1.v[a][l] + B3 * k3.v[a][l] + B4 * k4.v[a][l] + B5 * k5.v[a][l] + B6 * k6.v[a][l])
            double en[LANES];
            int fin_[LANES];
#pragma omp simd
            for (int l = 0; l < LANES; l++) {
                double acc = 0;
                int fin = 1;
                for (int a = 0; a < D; a++) {
                    double sc = atol + fmax(fabs(u.v[a][l]), fabs(s.v[a][l])) * rtol;
                    double e = hh[l] *
                               (E1 * k1.v[a][l] + E3 * k3.v[a][l] + E4 * k4.v[a][l] + E5 * k5.v[a][l] +
                                E6 * k6.v[a][l] + E7 * k7.v[a][l]) / sc;
                    acc += e * e;
                    fin &= is_finite_bits(s.v[a][l]);
                }
                en[l] = sqrt(acc / D);
                fin_[l] = fin;
            }
            for (int l = 0; l < LANES; l++) {
                if (!live[l]) continue;
                int st = 1;
                if (!(fin_[l] && is_finite_bits(en[l]))) {
                    st = -3;
                } else if (en[l] < 1) {
                    double f = en[l] == 0 ? 10.0 : fmin(10.0, 0.9 * pow(en[l], -0.2));
                    if (rej[l]) f = fmin(1.0, f);
                    h_abs[l] *= f;
                    for (int a = 0; a < D; a++) { u.v[a][l] = s.v[a][l]; k1.v[a][l] = k7.v[a][l]; }
                    t[l] = tn_[l];
                    rej[l] = 0;
                    if (t[l] >= t1) st = 0;
                } else {
                    h_abs[l] *= fmax(0.2, 0.9 * pow(en[l], -0.2));
                    rej[l] = 1;
                    if (h_abs[l] < 10 * fabs(nextafter(t[l], INFINITY) - t[l])) st = -1;
                }
                nst[l]++;
                if (st == 1 && nst[l] >= max_steps) st = -2;
                if (st != 1) {
                    int64_t j = who[l];
                    status[j] = st;
                    steps[j] = nst[l];
                    for (int a = 0; a < D; a++) X[3 * j + a] = st == 0 ? 1.0 / (1.0 + exp(-u.v[a][l])) : NAN;
                    live[l] = 0;
                    active--;
                }
            }
        }
    }
    return used;
}
