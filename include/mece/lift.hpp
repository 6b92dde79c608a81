#pragma once
/// \file lift.hpp
/// Measured lift (SPEC section 8.2): what each segment's campaign added, from the
/// outcomes of its treatment and control groups, with confidence intervals. Analysis by
/// assignment (intent to treat). Not part of the umbrella `mece/mece.hpp` (it needs
/// Boost.Math, for Student's t).
///
/// \code
/// mece::Arm treated, held_out;
/// for (...) (control ? held_out : treated).add(converted, revenue);
/// const mece::LiftFigures lift = mece::compare(treated, held_out, {.control_share = 0.1});
/// // lift.lift_abs, lift.lift_abs_ci.low, lift.p_value, ...
/// \endcode

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <optional>
#include <vector>

#include <boost/math/distributions/students_t.hpp>

#include <mece/error.hpp>
#include <mece/holdout.hpp>

namespace mece {

/// The two-sided significance level of every interval and test here.
inline constexpr double lift_alpha = 0.05;
/// The normal quantile at 1 - alpha/2.
inline constexpr double lift_z = 1.959963984540054;

/// A confidence interval; both ends NaN when it cannot be computed.
struct Interval {
    double low = std::numeric_limits<double>::quiet_NaN();
    double high = std::numeric_limits<double>::quiet_NaN();

    bool known() const noexcept { return std::isfinite(low) && std::isfinite(high); }
    /// `[k low, k high]` for k >= 0.
    Interval scaled(double k) const noexcept { return {low * k, high * k}; }
};

/// The outcomes of one group: users, converters, and revenue per user (its mean and
/// the sum of squared deviations from it, updated as Welford does, so the variance
/// stays exact to rounding when the mean is large).
class Arm {
public:
    void add(bool converted, double revenue = 0) noexcept {
        ++users_;
        conversions_ += converted ? 1 : 0;
        const double delta = revenue - mean_;
        mean_ += delta / double(users_);
        m2_ += delta * (revenue - mean_);
    }

    /// Both arms' users as one (Chan et al.'s pairwise update).
    Arm& operator+=(const Arm& other) noexcept {
        if (other.users_ == 0) return *this;
        const double n = double(users_), m = double(other.users_), delta = other.mean_ - mean_;
        mean_ += delta * m / (n + m);
        m2_ += other.m2_ + delta * delta * n * m / (n + m);
        users_ += other.users_;
        conversions_ += other.conversions_;
        return *this;
    }

    std::int64_t users() const noexcept { return users_; }
    std::int64_t conversions() const noexcept { return conversions_; }
    /// Conversions over users; NaN without users.
    double rate() const noexcept { return users_ ? double(conversions_) / double(users_) : std::nan(""); }
    /// Mean revenue per user; NaN without users.
    double revenue_per_user() const noexcept { return users_ ? mean_ : std::nan(""); }
    /// The sample variance of revenue per user (n - 1 in the denominator); NaN below two users.
    double revenue_variance() const noexcept { return users_ > 1 ? m2_ / double(users_ - 1) : std::nan(""); }

private:
    std::int64_t users_ = 0;
    std::int64_t conversions_ = 0;
    double mean_ = 0;
    double m2_ = 0;
};

namespace stats {

/// The Wilson score interval of a proportion `x / n` (n > 0).
inline Interval wilson(std::int64_t x, std::int64_t n, double z = lift_z) noexcept {
    if (n <= 0) return {};
    const double nn = double(n), p = double(x) / nn, z2 = z * z;
    const double centre = (p + z2 / (2 * nn)) / (1 + z2 / nn);
    const double half = z * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / (1 + z2 / nn);
    return {centre - half, centre + half};
}

/// Newcombe's hybrid score interval of p1 - p2 (1998, method 10), from the two Wilson
/// intervals: statsmodels' default for a difference of proportions.
inline Interval newcombe(std::int64_t x1, std::int64_t n1, std::int64_t x2, std::int64_t n2, double z = lift_z) noexcept {
    if (n1 <= 0 || n2 <= 0) return {};
    const double p1 = double(x1) / double(n1), p2 = double(x2) / double(n2), d = p1 - p2;
    const Interval w1 = wilson(x1, n1, z), w2 = wilson(x2, n2, z);
    return {d - std::sqrt((p1 - w1.low) * (p1 - w1.low) + (w2.high - p2) * (w2.high - p2)),
            d + std::sqrt((w1.high - p1) * (w1.high - p1) + (p2 - w2.low) * (p2 - w2.low))};
}

/// The interval of the relative lift p1 / p2 - 1 from the log of the risk ratio, each
/// count and size plus 0.5: exp(ln RR' -/+ z sqrt(1/x1' - 1/n1' + 1/x2' - 1/n2')) - 1.
inline Interval log_ratio(std::int64_t x1, std::int64_t n1, std::int64_t x2, std::int64_t n2, double z = lift_z) noexcept {
    if (n1 <= 0 || n2 <= 0) return {};
    const double a = double(x1) + 0.5, b = double(n1) + 0.5, c = double(x2) + 0.5, d = double(n2) + 0.5;
    const double log_rr = std::log((a / b) / (c / d)), se = std::sqrt(1 / a - 1 / b + 1 / c - 1 / d);
    return {std::exp(log_rr - z * se) - 1, std::exp(log_rr + z * se) - 1};
}

/// The two-sided p-value of the pooled two-proportion z test; 1 when both groups have
/// the same rate of 0 or 1 (no variation), NaN when a group is empty.
inline double pooled_z_p_value(std::int64_t x1, std::int64_t n1, std::int64_t x2, std::int64_t n2) noexcept {
    if (n1 <= 0 || n2 <= 0) return std::nan("");
    const double p = double(x1 + x2) / double(n1 + n2);
    const double se = std::sqrt(p * (1 - p) * (1 / double(n1) + 1 / double(n2)));
    if (!(se > 0)) return 1.0;
    const double z = (double(x1) / double(n1) - double(x2) / double(n2)) / se;
    return std::erfc(std::abs(z) / std::sqrt(2.0));
}

/// Benjamini-Hochberg adjusted p-values (q-values), in the order of `p`: q of the i-th
/// smallest of m is min over j >= i of p_(j) m / j, at most 1. NaN stays NaN and is not
/// counted in m.
inline std::vector<double> benjamini_hochberg(const std::vector<double>& p) {
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < p.size(); ++i)
        if (!std::isnan(p[i])) order.push_back(i);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });
    std::vector<double> q(p.size(), std::nan(""));
    const double m = double(order.size());
    double running = 1.0;
    for (std::size_t k = order.size(); k-- > 0;) {
        running = std::min(running, p[order[k]] * m / double(k + 1));
        q[order[k]] = running;
    }
    return q;
}

/// Welch's t interval of mean1 - mean2 with the Welch-Satterthwaite degrees of freedom;
/// unknown below two users in a group or when both variances are 0.
inline Interval welch(const Arm& a, const Arm& b, double alpha = lift_alpha) {
    if (a.users() < 2 || b.users() < 2) return {};
    const double va = a.revenue_variance() / double(a.users()), vb = b.revenue_variance() / double(b.users());
    const double se = std::sqrt(va + vb);
    if (!(se > 0) || !std::isfinite(se)) return {};
    const double df = (va + vb) * (va + vb) / (va * va / double(a.users() - 1) + vb * vb / double(b.users() - 1));
    const double t = boost::math::quantile(boost::math::students_t_distribution<double>(df), 1 - alpha / 2);
    const double d = a.revenue_per_user() - b.revenue_per_user();
    return {d - t * se, d + t * se};
}

/// The p-value of the chi-squared test (1 degree of freedom) of `n_control` and
/// `n_treatment` against a split with `control_share` in control: a sample ratio
/// mismatch when small. 1 for no users; with a share of 0 or 1, 1 when the counts
/// match it and 0 when they do not.
inline double sample_ratio_p_value(std::int64_t n_control, std::int64_t n_treatment, double control_share) noexcept {
    const double n = double(n_control + n_treatment);
    if (n <= 0) return 1.0;
    if (!(control_share > 0 && control_share < 1))
        return (control_share <= 0 ? n_control == 0 : n_treatment == 0) ? 1.0 : 0.0;
    const double ec = n * control_share, et = n - ec;
    const double chi2 = (double(n_control) - ec) * (double(n_control) - ec) / ec +
                        (double(n_treatment) - et) * (double(n_treatment) - et) / et;
    return std::erfc(std::sqrt(chi2 / 2));
}

}  // namespace stats

/// Revenue figures of a comparison, when the outcomes have revenue.
struct RevenueFigures {
    double per_user_treatment = 0;
    double per_user_control = 0;
    /// per_user_treatment - per_user_control.
    double diff = 0;
    /// Welch's t interval.
    Interval diff_ci{};
    /// n_treatment x diff.
    double incremental = 0;
};

/// What a campaign added in one comparison of treatment with control.
struct LiftFigures {
    std::int64_t n_treatment = 0;
    std::int64_t n_control = 0;
    std::int64_t conversions_treatment = 0;
    std::int64_t conversions_control = 0;
    double rate_treatment = 0;
    double rate_control = 0;
    /// rate_treatment - rate_control, with Newcombe's hybrid score interval.
    double lift_abs = 0;
    Interval lift_abs_ci{};
    /// rate_treatment / rate_control - 1; none without a control conversion.
    std::optional<double> lift_rel{};
    Interval lift_rel_ci{};
    /// The pooled two-proportion z test, two-sided.
    double p_value = 0;
    /// Benjamini-Hochberg over the comparisons of a report (`adjust`); NaN until then.
    double q_value = std::numeric_limits<double>::quiet_NaN();
    /// q_value < alpha.
    bool significant = false;
    /// conversions_treatment - n_treatment x rate_control, with n_treatment x lift_abs_ci.
    double incremental_conversions = 0;
    Interval incremental_conversions_ci{};
    std::optional<RevenueFigures> revenue{};
    /// The sample ratio test of the group sizes against the configured share, and
    /// whether it fails (p below 0.001: the split is broken, the figures not to be trusted).
    double srm_p_value = 1;
    bool srm = false;
    /// A group has fewer than 5 converters or 5 non-converters: the intervals are rough.
    bool low_data = false;
    /// The smallest absolute lift detectable at 80% power and alpha 0.05 at the observed
    /// control rate.
    double mde_abs = 0;
};

/// How a comparison is made.
struct CompareOptions {
    /// The share of control among treatment and control that the split was made with.
    double control_share = 0;
    /// Whether the outcomes carry revenue.
    bool revenue = false;
};

/// The figures of `treatment` against `control`.
inline LiftFigures compare(const Arm& treatment, const Arm& control, const CompareOptions& options) {
    LiftFigures f;
    const std::int64_t nt = treatment.users(), nc = control.users(), xt = treatment.conversions(), xc = control.conversions();
    f.n_treatment = nt;
    f.n_control = nc;
    f.conversions_treatment = xt;
    f.conversions_control = xc;
    f.rate_treatment = treatment.rate();
    f.rate_control = control.rate();
    f.lift_abs = f.rate_treatment - f.rate_control;
    f.lift_abs_ci = stats::newcombe(xt, nt, xc, nc);
    if (xc > 0 && nt > 0) f.lift_rel = f.rate_treatment / f.rate_control - 1;
    f.lift_rel_ci = stats::log_ratio(xt, nt, xc, nc);
    f.p_value = stats::pooled_z_p_value(xt, nt, xc, nc);
    f.incremental_conversions = nc > 0 ? double(xt) - double(nt) * f.rate_control : std::nan("");
    f.incremental_conversions_ci = f.lift_abs_ci.scaled(double(nt));
    if (options.revenue) {
        RevenueFigures r;
        r.per_user_treatment = treatment.revenue_per_user();
        r.per_user_control = control.revenue_per_user();
        r.diff = r.per_user_treatment - r.per_user_control;
        r.diff_ci = stats::welch(treatment, control);
        r.incremental = double(nt) * r.diff;
        f.revenue = r;
    }
    f.srm_p_value = stats::sample_ratio_p_value(nc, nt, options.control_share);
    f.srm = f.srm_p_value < 0.001;
    f.low_data = std::min({xt, xc, nt - xt, nc - xc}) < 5;
    f.mde_abs = mde_abs(f.rate_control, nt, nc);
    return f;
}

/// Sets each comparison's `q_value` (Benjamini-Hochberg over all of them) and
/// `significant` (q below alpha).
inline void adjust(std::vector<LiftFigures*> comparisons) {
    std::vector<double> p;
    for (const LiftFigures* f : comparisons) p.push_back(f->p_value);
    const std::vector<double> q = stats::benjamini_hochberg(p);
    for (std::size_t i = 0; i < comparisons.size(); ++i) {
        comparisons[i]->q_value = q[i];
        comparisons[i]->significant = q[i] < lift_alpha;
    }
}

}  // namespace mece
