#pragma once
/// \file scorer.hpp
/// `Scorer`: ranks segments by a weighted sum of dimensions, each a score in [0,1]
/// (SPEC section 6), and gives each a tier and a recommended action.
///
/// A dimension is any type that models the `Dimension` concept: a name and a score
/// per segment from the segment statistics. The five default dimensions are written the
/// same way, so a caller's own dimension stands beside them without touching the library.

#include <algorithm>
#include <cmath>
#include <concepts>
#include <map>
#include <numeric>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <mece/error.hpp>
#include <mece/lift_blend.hpp>
#include <mece/rule_tree.hpp>
#include <mece/rule_tree/expression.hpp>
#include <mece/segment_stats.hpp>

namespace mece {

/// What a dimension sees when it scores one segment.
struct ScoringContext {
    const SegmentStats& stats;
    /// The segment: id, name, the rules above it.
    const SegmentDefinition& segment;
    /// The universe window, for recency (the statistics' own, `stats.window_days()`).
    int window_days = defaults::window_days;

    Eigen::Index size() const { return stats.size(segment.id); }
    /// Mean of a feature over the segment (see `SegmentStats`); NaN when it has no users.
    double mean(std::string_view feature) const { return stats.mean(segment.id, feature); }
};

/// A scoring dimension: `name()` and `score(context)` in [0,1]. It may also declare
/// `default_weight()`, `description()`, and `estimated()` (true when the score stands in
/// for a measurement it does not have).
template <class D>
concept Dimension = requires(const D& d, const ScoringContext& context) {
    { d.name() } -> std::convertible_to<std::string>;
    { d.score(context) } -> std::convertible_to<double>;
};

namespace detail {

/// The requirements of `Dimension`, one `static_assert` per member, so that a type that
/// misses one is told which (a concept failing for a whole pack names none). An optional
/// member that is present must have its type, rather than be ignored.
template <class D>
constexpr bool check_dimension() {
    static_assert(requires(const D& d) {
        { d.name() } -> std::convertible_to<std::string>;
    }, "a scoring dimension needs `std::string name() const`: the name its weight and its column go by");
    static_assert(requires(const D& d, const ScoringContext& context) {
        { d.score(context) } -> std::convertible_to<double>;
    }, "a scoring dimension needs `double score(const mece::ScoringContext&) const`, a score in [0,1]");
    if constexpr (requires { &D::default_weight; })
        static_assert(requires(const D& d) {
            { d.default_weight() } -> std::convertible_to<double>;
        }, "a scoring dimension's `default_weight` must be `double default_weight() const`");
    if constexpr (requires { &D::description; })
        static_assert(requires(const D& d) {
            { d.description() } -> std::convertible_to<std::string>;
        }, "a scoring dimension's `description` must be `std::string description() const`");
    if constexpr (requires { &D::estimated; })
        static_assert(requires(const D& d) {
            { d.estimated() } -> std::convertible_to<bool>;
        }, "a scoring dimension's `estimated` must be `bool estimated() const`");
    return true;
}

}  // namespace detail

namespace detail {
/// `value` within [0,1]; 0 for NaN (a segment with no users scores nothing).
inline double unit(double value) noexcept { return std::isnan(value) ? 0.0 : std::clamp(value, 0.0, 1.0); }
}  // namespace detail

namespace dimensions {

/// 0.7 x engagement + 0.3 x recency, recency = 1 - days_since_abandon / window_days.
struct ConversionPotential {
    double engagement_weight = 0.7;
    std::string name() const { return "conversion_potential"; }
    double default_weight() const { return 0.25; }
    std::string description() const { return "0.7 x mean engagement_score + 0.3 x mean recency (1 - days_since_abandon / window_days)"; }
    double score(const ScoringContext& c) const {
        const double recency = 1.0 - c.mean("days_since_abandon") / double(c.window_days);
        return detail::unit(engagement_weight * detail::unit(c.mean("engagement_score")) +
                            (1.0 - engagement_weight) * detail::unit(recency));
    }
};

/// 0.8 x profitability_score + 0.2 x the AOV's percentile rank in the universe.
struct Profitability {
    std::string name() const { return "profitability"; }
    double default_weight() const { return 0.25; }
    std::string description() const { return "0.8 x mean profitability_score + 0.2 x mean aov_percentile_rank"; }
    double score(const ScoringContext& c) const {
        return detail::unit(0.8 * detail::unit(c.mean("profitability_score")) + 0.2 * c.mean("aov_percentile_rank"));
    }
};

/// Without outcome data, an estimate: campaigns lift engaged, high-value users more,
/// so 0.6 x engagement + 0.4 x AOV percentile rank. Deterministic, and marked estimated.
/// With measurements (`lift.measured`, from `lift.json`), the estimate is blended with
/// them by precision (`mece/lift_blend.hpp`) and the score is clip(lift_used / scale, 0, 1).
struct LiftVsControl {
    LiftOptions lift{};
    std::string name() const { return "lift_vs_control"; }
    double default_weight() const { return 0.20; }
    bool estimated() const { return lift.measured.empty(); }
    std::string description() const {
        if (lift.measured.empty())
            return "estimated (no outcome data): 0.6 x mean engagement_score + 0.4 x mean aov_percentile_rank";
        return "lift_used / " + format_number(lift.scale) +
               ", within [0,1]; lift_used blends the measured lift in conversion rate with the estimate " +
               format_number(lift.scale) + " x (0.6 x mean engagement_score + 0.4 x mean aov_percentile_rank) (sd " +
               format_number(lift.prior_sd) + ") by precision";
    }
    /// The estimate e, in [0,1].
    double estimate(const ScoringContext& c) const {
        return detail::unit(0.6 * detail::unit(c.mean("engagement_score")) + 0.4 * c.mean("aov_percentile_rank"));
    }
    /// The estimate with the segment's measurement, if any.
    LiftBlend blend(const ScoringContext& c) const { return blend_lift(estimate(c), c.segment, lift); }
    double score(const ScoringContext& c) const {
        if (lift.measured.empty()) return estimate(c);
        const LiftBlend b = blend(c);
        // Without a measurement exactly the estimate, not e x scale / scale.
        return b.source == LiftBlend::Source::estimate ? estimate(c) : detail::unit(b.lift_used / lift.scale);
    }
};

/// The business priority of the segment (or of the nearest rule above it) when one is
/// configured; else the mean of engagement and profitability.
struct StrategicFit {
    std::map<std::string, double, std::less<>> priorities{};
    std::string name() const { return "strategic_fit"; }
    double default_weight() const { return 0.20; }
    std::string description() const {
        return "configured priority of the segment or its parent rule; else mean of mean engagement_score and mean "
               "profitability_score";
    }
    double score(const ScoringContext& c) const {
        if (auto found = priorities.find(c.segment.name); found != priorities.end()) return detail::unit(found->second);
        for (auto parent = c.segment.parents.rbegin(); parent != c.segment.parents.rend(); ++parent)
            if (auto found = priorities.find(*parent); found != priorities.end()) return detail::unit(found->second);
        return detail::unit(0.5 * detail::unit(c.mean("engagement_score")) + 0.5 * detail::unit(c.mean("profitability_score")));
    }
};

/// 1 at `target` users, falling linearly in log10(size / target) to 0 at `decades`
/// decades either side: 500 and 50,000 users score 0.5 with the defaults.
struct SizeScore {
    double target = 5000;
    double decades = 2;
    std::string name() const { return "size_score"; }
    double default_weight() const { return 0.10; }
    std::string description() const {
        return "1 - |log10(size / " + format_number(target) + ")| / " + format_number(decades) + ", within [0,1]";
    }
    double score(const ScoringContext& c) const {
        if (c.size() <= 0) return 0.0;
        return detail::unit(1.0 - std::abs(std::log10(double(c.size()) / target)) / decades);
    }
};

}  // namespace dimensions

/// A tier: segments scoring at least `min_score` (and below the tier above) belong to it.
struct Tier {
    std::string name{};
    double min_score = 0;
    /// The action recommended for its segments unless one is configured for the segment.
    std::string action{};
    friend bool operator==(const Tier&, const Tier&) = default;
};

/// The seed's tiers: >= 0.70, >= 0.60, >= 0.50, the rest.
inline std::vector<Tier> default_tiers() {
    return {{"Tier 1 Premium", 0.70, "Immediate, high-touch campaigns: personal outreach, premium recovery offers"},
            {"Tier 2 Priority", 0.60, "Targeted campaigns with personalization: tailored discounts, urgency, social proof"},
            {"Tier 3 Standard", 0.50, "Automated campaigns with basic targeting: reminder sequences, bundles"},
            {"Tier 4 Baseline", 0.00, "Generic retention efforts: automated emails, general discounts"}};
}

/// Weights, tiers and actions: what a marketer configures.
struct ScoringOptions {
    /// Dimension name -> weight; a dimension not named keeps its default weight. Weights
    /// must be finite and non-negative with a positive sum; they are normalised to sum 1.
    std::map<std::string, double, std::less<>> weights{};
    /// Highest first; a score below every `min_score` falls in the last tier.
    std::vector<Tier> tiers = default_tiers();
    /// Segment (or parent rule) name -> recommended action, over the tier's.
    std::map<std::string, std::string, std::less<>> actions{};
};

/// A segment's scores.
struct SegmentScore {
    int id = 0;
    /// One per dimension, in the scorer's order.
    std::vector<double> scores{};
    double overall = 0;
    std::string tier{};
    std::string action{};
    /// 1 for the highest overall score; ties keep id order.
    int rank = 0;
};

/// Scores of every segment, and what they were computed with.
struct Scores {
    std::vector<std::string> dimensions{};
    /// Normalised weights, one per dimension.
    std::vector<double> weights{};
    std::vector<bool> estimated{};
    std::vector<std::string> descriptions{};
    /// The tiers the segments were placed in, highest first.
    std::vector<Tier> tiers{};
    /// By id: `segments[id - 1]`.
    std::vector<SegmentScore> segments{};
    /// Segment ids from the highest overall score to the lowest.
    std::vector<int> ranking{};

    const SegmentScore& of(int id) const {
        detail::check_segment_id(id, segments.size(), "scores");
        return segments[std::size_t(id - 1)];
    }
};

/// Scores segments over a fixed set of dimensions.
///
/// \code
/// auto scorer = mece::make_scorer(mece::default_dimensions(), {.weights = {{"size_score", 0.0}}});
/// mece::Scores scores = scorer.score(solution.rules, mece::SegmentStats::compute(data, universe, solution.assignment));
/// \endcode
template <class... Dimensions>
class Scorer {
    static_assert(sizeof...(Dimensions) > 0, "a scorer needs at least one dimension");
    static_assert((detail::check_dimension<Dimensions>() && ...));

public:
    explicit Scorer(std::tuple<Dimensions...> dimensions, ScoringOptions options = {})
        : dimensions_(std::move(dimensions)), options_(std::move(options)) {
        std::apply([&](const auto&... d) { (names_.push_back(std::string(d.name())), ...); }, dimensions_);
        for (std::size_t i = 0; i < names_.size(); ++i)
            for (std::size_t j = 0; j < i; ++j)
                if (names_[i] == names_[j]) detail::raise<ConfigError>("scoring: two dimensions are named '" + names_[i] + "'");
        weights_ = resolve_weights();
        check_tiers();
    }

    const std::vector<std::string>& dimension_names() const noexcept { return names_; }
    /// The normalised weights, one per dimension.
    const std::vector<double>& weights() const noexcept { return weights_; }
    const ScoringOptions& options() const noexcept { return options_; }

    /// Scores, tiers, actions and ranks of every segment of `segments`, from their
    /// statistics (which carry the universe's window, so recency cannot be measured
    /// against another).
    Scores score(const std::vector<SegmentDefinition>& segments, const SegmentStats& stats) const {
        if (stats.segments() != segments.size())
            detail::raise<Error>("scoring: the statistics are of " + std::to_string(stats.segments()) + " segments, not " +
                                 std::to_string(segments.size()));
        Scores out;
        out.dimensions = names_;
        out.weights = weights_;
        out.tiers = options_.tiers;
        std::apply(
            [&](const auto&... d) {
                (out.estimated.push_back(estimated_of(d)), ...);
                (out.descriptions.push_back(description_of(d)), ...);
            },
            dimensions_);
        for (const SegmentDefinition& segment : segments) {
            const ScoringContext context{stats, segment, stats.window_days()};
            SegmentScore s;
            s.id = segment.id;
            std::apply([&](const auto&... d) { (s.scores.push_back(double(d.score(context))), ...); }, dimensions_);
            for (std::size_t k = 0; k < s.scores.size(); ++k) {
                if (!(s.scores[k] >= 0.0 && s.scores[k] <= 1.0))
                    detail::raise<Error>("scoring: dimension '" + names_[k] + "' scored segment '" + segment.name + "' " +
                                         format_number(s.scores[k]) + ", outside [0,1]");
                s.overall += weights_[k] * s.scores[k];
            }
            s.overall = std::clamp(s.overall, 0.0, 1.0);  // rounding can leave a sum of weights 1 a hair above
            const Tier& tier = tier_of(s.overall);
            s.tier = tier.name;
            s.action = action_of(segment, tier);
            out.segments.push_back(std::move(s));
        }
        out.ranking.resize(out.segments.size());
        std::iota(out.ranking.begin(), out.ranking.end(), 1);
        std::stable_sort(out.ranking.begin(), out.ranking.end(),
                         [&](int a, int b) { return out.of(a).overall > out.of(b).overall; });
        for (std::size_t r = 0; r < out.ranking.size(); ++r) out.segments[std::size_t(out.ranking[r] - 1)].rank = int(r + 1);
        return out;
    }

    /// As above, for the segments of `rules`.
    Scores score(const ResolvedRules& rules, const SegmentStats& stats) const {
        return score(rules.segments(), stats);
    }

private:
    template <class D>
    static bool estimated_of(const D& d) {
        if constexpr (requires { { d.estimated() } -> std::convertible_to<bool>; }) return d.estimated();
        return false;
    }
    template <class D>
    static std::string description_of(const D& d) {
        if constexpr (requires { { d.description() } -> std::convertible_to<std::string>; }) return d.description();
        return {};
    }
    template <class D>
    static std::optional<double> default_weight_of(const D& d) {
        if constexpr (requires { { d.default_weight() } -> std::convertible_to<double>; }) return d.default_weight();
        return std::nullopt;
    }

    std::vector<double> resolve_weights() const {
        for (const auto& [name, weight] : options_.weights) {
            if (std::find(names_.begin(), names_.end(), name) == names_.end()) {
                std::string known;
                for (const auto& n : names_) known += (known.empty() ? "" : ", ") + n;
                detail::raise<ConfigError>("scoring.weights." + name + ": unknown dimension '" + name + "' (dimensions: " + known + ")");
            }
            if (!std::isfinite(weight) || weight < 0)
                detail::raise<ConfigError>("scoring.weights." + name + ": a weight must be a finite number >= 0, got " +
                                           format_number(weight));
        }
        std::vector<std::optional<double>> defaults;
        std::apply([&](const auto&... d) { (defaults.push_back(default_weight_of(d)), ...); }, dimensions_);
        std::vector<double> weights;
        for (std::size_t k = 0; k < names_.size(); ++k) {
            if (auto given = options_.weights.find(names_[k]); given != options_.weights.end()) weights.push_back(given->second);
            else if (defaults[k]) weights.push_back(*defaults[k]);
            else detail::raise<ConfigError>("scoring.weights: no weight for dimension '" + names_[k] + "' (it declares no default)");
        }
        double total = std::accumulate(weights.begin(), weights.end(), 0.0);
        if (!std::isfinite(total)) {  // weights near the largest double: scaled by the largest first
            const double largest = *std::max_element(weights.begin(), weights.end());
            for (auto& w : weights) w /= largest;
            total = std::accumulate(weights.begin(), weights.end(), 0.0);
        }
        if (!(total > 0)) detail::raise<ConfigError>("scoring.weights: the weights sum to 0; at least one must be positive");
        for (auto& w : weights) w /= total;
        return weights;
    }

    void check_tiers() const {
        if (options_.tiers.empty()) detail::raise<ConfigError>("scoring.tiers: at least one tier is needed");
        for (std::size_t i = 0; i < options_.tiers.size(); ++i) {
            const Tier& t = options_.tiers[i];
            const std::string at = "scoring.tiers[" + std::to_string(i) + "]";
            if (t.name.empty()) detail::raise<ConfigError>(at + ".name: a tier needs a name");
            if (!(t.min_score >= 0.0 && t.min_score <= 1.0))
                detail::raise<ConfigError>(at + ".min_score: expected a score in [0,1], got " + format_number(t.min_score));
            if (i > 0 && !(t.min_score < options_.tiers[i - 1].min_score))
                detail::raise<ConfigError>(at + ".min_score: tiers go from the highest min_score down; " +
                                           format_number(t.min_score) + " is not below " +
                                           format_number(options_.tiers[i - 1].min_score));
        }
    }

    const Tier& tier_of(double overall) const {
        for (const Tier& t : options_.tiers)
            if (overall >= t.min_score) return t;
        return options_.tiers.back();
    }

    std::string action_of(const SegmentDefinition& segment, const Tier& tier) const {
        if (auto found = options_.actions.find(segment.name); found != options_.actions.end()) return found->second;
        for (auto parent = segment.parents.rbegin(); parent != segment.parents.rend(); ++parent)
            if (auto found = options_.actions.find(*parent); found != options_.actions.end()) return found->second;
        return tier.action;
    }

    std::tuple<Dimensions...> dimensions_;
    ScoringOptions options_;
    std::vector<std::string> names_;
    std::vector<double> weights_;
};

/// The five dimensions of SPEC section 6, in its order.
/// `priorities` feed `strategic_fit`; `size_target` is where `size_score` peaks; `lift`
/// holds the measurements `lift_vs_control` blends with its estimate.
inline auto default_dimensions(std::map<std::string, double, std::less<>> priorities = {},
                               double size_target = dimensions::SizeScore{}.target, LiftOptions lift = {}) {
    return std::tuple{dimensions::ConversionPotential{}, dimensions::Profitability{}, dimensions::LiftVsControl{std::move(lift)},
                      dimensions::StrategicFit{std::move(priorities)}, dimensions::SizeScore{size_target}};
}

/// A scorer over `dimensions` (a tuple; append your own with `std::tuple_cat`).
template <class... Dimensions>
Scorer<Dimensions...> make_scorer(std::tuple<Dimensions...> dimensions, ScoringOptions options = {}) {
    return Scorer<Dimensions...>(std::move(dimensions), std::move(options));
}

/// Checks that every segment an action (`options.actions`) or a priority names is a
/// rule of `tree` (at any depth, or a catch-all), so a misspelled name is a `ConfigError`
/// rather than a setting that silently applies to nothing. `mece::run` calls it; the JSON
/// config reader checks the same with the place in the file.
inline void check_scoring_names(const RuleTree& tree, const ScoringOptions& options,
                                const std::map<std::string, double, std::less<>>& priorities = {}) {
    const auto names = tree.names();
    const auto check = [&](const std::string& key, const std::string& name) {
        if (!names.count(name)) detail::raise<ConfigError>("scoring." + key + "." + name + ": no segment or rule is named '" + name + "'");
    };
    for (const auto& entry : options.actions) check("actions", entry.first);
    for (const auto& entry : priorities) check("priorities", entry.first);
}

}  // namespace mece
