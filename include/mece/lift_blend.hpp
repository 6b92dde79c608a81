#pragma once
/// \file lift_blend.hpp
/// Measured lift in the ranking (SPEC section 8.3): the `lift_vs_control` estimate e in
/// [0,1] stands for a prior lift m0 = e x `scale` with standard deviation `prior_sd`; a
/// segment whose name (or the nearest parent rule's name) was measured blends its measured
/// lift with it by precision,
/// lift_used = (m0 / prior_sd^2 + lift / se^2) / (1 / prior_sd^2 + 1 / se^2),
/// se from the add-one rates (x + 1) / (n + 2) (Agresti and Caffo). The dimension scores
/// clip(lift_used / scale, 0, 1); without measurements it scores e, as before.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <mece/error.hpp>
#include <mece/rule_tree/definition.hpp>

namespace mece {

/// A segment's lift as a campaign measured it (a segment of `lift.json`).
struct MeasuredLift {
    std::int64_t n_treatment = 0;
    std::int64_t n_control = 0;
    std::int64_t conversions_treatment = 0;
    std::int64_t conversions_control = 0;
    /// rate_treatment - rate_control, and its interval.
    double lift_abs = 0;
    double ci_low = std::nan("");
    double ci_high = std::nan("");
    double q_value = std::nan("");
    /// The split was broken (sample ratio mismatch): not used.
    bool srm = false;

    /// The standard error of lift_abs from the add-one rates (x + 1) / (n + 2); NaN
    /// without users in a group.
    double standard_error() const noexcept {
        if (n_treatment <= 0 || n_control <= 0) return std::nan("");
        const auto part = [](std::int64_t x, std::int64_t n) {
            const double p = (double(x) + 1) / (double(n) + 2);
            return p * (1 - p) / (double(n) + 2);
        };
        return std::sqrt(part(conversions_treatment, n_treatment) + part(conversions_control, n_control));
    }
};

/// How measured and estimated lift are blended, and the measurements by segment name.
struct LiftOptions {
    /// The absolute lift that scores 1: the estimate e stands for e x scale.
    double scale = 0.05;
    /// The standard deviation of the estimate's prior.
    double prior_sd = 0.02;
    /// Segment name -> what a campaign measured (empty: the estimate alone).
    std::map<std::string, MeasuredLift, std::less<>> measured{};

    /// Throws `ConfigError` naming the key of a value out of range.
    void validate() const {
        if (!(std::isfinite(scale) && scale > 0))
            detail::raise<ConfigError>("scoring.lift.scale: expected a number > 0, got " + format_number(scale));
        if (!(std::isfinite(prior_sd) && prior_sd > 0))
            detail::raise<ConfigError>("scoring.lift.prior_sd: expected a number > 0, got " + format_number(prior_sd));
    }
};

/// A segment's lift as the ranking used it.
struct LiftBlend {
    enum class Source { estimate, blended, measured };
    /// `estimate` without a measurement; `measured` when the data's weight is at least
    /// 0.5, else `blended`.
    Source source = Source::estimate;
    /// The data's share of the precision, in [0, 1].
    double weight = 0;
    /// The lift the score is made from.
    double lift_used = 0;
    /// The prior, e x scale.
    double estimate = 0;
    /// The segment or parent rule whose measurement was used; empty for none.
    std::string measured_as{};
    std::optional<MeasuredLift> measured{};
    /// Why a measurement of the segment was not used (a broken split); empty otherwise.
    std::string ignored{};
};

constexpr std::string_view to_string(LiftBlend::Source source) noexcept {
    switch (source) {
        case LiftBlend::Source::estimate: return "estimate";
        case LiftBlend::Source::blended: return "blended";
        case LiftBlend::Source::measured: return "measured";
    }
    return "?";
}

/// The blend of `estimate` (in [0,1]) with the measurement of `segment` (its own name,
/// else the nearest parent rule's) in `options`.
inline LiftBlend blend_lift(double estimate, const SegmentDefinition& segment, const LiftOptions& options) {
    LiftBlend b;
    b.estimate = estimate * options.scale;
    b.lift_used = b.estimate;
    const MeasuredLift* found = nullptr;
    if (auto it = options.measured.find(segment.name); it != options.measured.end()) found = &it->second, b.measured_as = it->first;
    for (auto parent = segment.parents.rbegin(); !found && parent != segment.parents.rend(); ++parent)
        if (auto it = options.measured.find(*parent); it != options.measured.end()) found = &it->second, b.measured_as = it->first;
    if (!found) return b;
    b.measured = *found;
    const double se = found->standard_error();
    if (found->srm) {
        b.ignored = "sample ratio mismatch: the split was broken, its figures cannot be trusted";
        return b;
    }
    if (!(se > 0) || !std::isfinite(found->lift_abs)) {
        b.ignored = "no users in its treatment or control group";
        return b;
    }
    const double prior = 1 / (options.prior_sd * options.prior_sd), data = 1 / (se * se);
    b.weight = data / (prior + data);
    b.lift_used = (b.estimate * prior + found->lift_abs * data) / (prior + data);
    b.source = b.weight >= 0.5 ? LiftBlend::Source::measured : LiftBlend::Source::blended;
    return b;
}

}  // namespace mece
