#pragma once
/// \file simulate.hpp
/// A campaign simulator, for tests and for trying the campaign loop on the synthetic
/// dataset: each user converts with their archetype's baseline rate, plus its planted
/// lift when they are in `treatment`; a converter spends their average order value.
/// Deterministic for a seed, whatever the order of the users: each user's draw is a hash
/// of the seed and the user id. Not part of the umbrella `mece/mece.hpp`.
///
/// \code
/// std::vector<std::uint8_t> archetype;
/// const auto data = mece::generate<double>({.rows = 100'000, .seed = 42}, &archetype);
/// const auto outcomes = mece::simulate_campaign(data, archetype, mece::read_assignments("run/assignments.csv"), {});
/// \endcode

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include <mece/dataset.hpp>
#include <mece/error.hpp>
#include <mece/io/campaign.hpp>
#include <mece/io/generator.hpp>
#include <mece/run.hpp>

namespace mece {

/// What a campaign does to one archetype: its conversion rate without the campaign,
/// and what the campaign adds to it (negative: the campaign hurts).
struct ArchetypeEffect {
    double baseline = 0.05;
    double lift = 0;
};

/// The planted effects by archetype (Casual, Regular, VIP, Dormant): the campaign helps
/// regular shoppers most, barely moves VIPs (they would have bought anyway, though the
/// estimate ranks them first) and puts dormant ones off.
inline constexpr std::array<ArchetypeEffect, archetypes.size()> default_effects{{
    {0.03, 0.010},
    {0.06, 0.025},
    {0.10, 0.005},
    {0.02, -0.005},
}};

struct CampaignOptions {
    std::array<ArchetypeEffect, archetypes.size()> effects = default_effects;
    std::uint64_t seed = 1;
};

namespace detail {

/// A uniform draw in [0, 1) for `user_id` under `seed` (SplitMix64 of both).
inline double campaign_draw(std::uint64_t seed, std::int64_t user_id) noexcept {
    std::uint64_t z = seed * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(user_id) + 0x632BE59BD9B4E019ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return double(z >> 11) * 0x1.0p-53;
}

/// Each user's row in `data`, in the order of `assignments`; a user not in it is an error.
template <class Scalar>
std::vector<Eigen::Index> rows_of_users(const Dataset<Scalar>& data, const Assignments& assignments) {
    std::unordered_map<std::int64_t, Eigen::Index> row_of;
    row_of.reserve(std::size_t(data.rows()));
    const auto ids = data.user_id();
    for (Eigen::Index r = 0; r < data.rows(); ++r) row_of.emplace(ids[r], r);
    std::vector<Eigen::Index> rows;
    rows.reserve(assignments.users.size());
    for (const AssignedUser& user : assignments.users) {
        const auto found = row_of.find(user.user_id);
        if (found == row_of.end())
            raise<InputError>("simulate: user " + std::to_string(user.user_id) + " of the assignments is not in the dataset");
        rows.push_back(found->second);
    }
    return rows;
}

}  // namespace detail

/// The outcome of each user of `assignments` who converted (as a shop exports them),
/// sorted by user id, with the user's average order value as revenue. `data` and
/// `archetype` (by row) are the dataset the run segmented; a user of the assignments
/// not in it is an error.
template <class Scalar>
Outcomes simulate_campaign(const Dataset<Scalar>& data, const std::vector<std::uint8_t>& archetype,
                           const Assignments& assignments, const CampaignOptions& options = {}) {
    if (archetype.size() != std::size_t(data.rows()))
        detail::raise<Error>("simulate: " + std::to_string(archetype.size()) + " archetypes for " + std::to_string(data.rows()) +
                             " users");
    for (const ArchetypeEffect& e : options.effects)
        if (!(e.baseline >= 0 && e.baseline <= 1 && e.baseline + e.lift >= 0 && e.baseline + e.lift <= 1))
            detail::raise<ConfigError>("simulate: a baseline rate and its rate with the lift must be in [0, 1], got " +
                                       format_number(e.baseline) + " and " + format_number(e.baseline + e.lift));
    const std::vector<Eigen::Index> rows = detail::rows_of_users(data, assignments);
    Outcomes out;
    out.revenue = true;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const AssignedUser& user = assignments.users[i];
        const ArchetypeEffect& e = options.effects.at(archetype[std::size_t(rows[i])]);
        const double rate = e.baseline + (user.group == Group::treatment ? e.lift : 0.0);
        if (detail::campaign_draw(options.seed, user.user_id) < rate)
            out.rows.push_back({user.user_id, true, double(data.avg_order_value()[rows[i]])});
    }
    std::sort(out.rows.begin(), out.rows.end(), [](const Outcome& a, const Outcome& b) { return a.user_id < b.user_id; });
    return out;
}

/// The lift planted in each segment of `assignments`: the mean, over its users, of
/// their archetype's lift (by segment id). What a perfect measurement would find.
template <class Scalar>
std::vector<double> planted_lift(const Dataset<Scalar>& data, const std::vector<std::uint8_t>& archetype,
                                 const Assignments& assignments, const CampaignOptions& options = {}) {
    const std::vector<Eigen::Index> rows = detail::rows_of_users(data, assignments);
    std::vector<double> sum(assignments.names.size(), 0.0);
    std::vector<std::int64_t> users(assignments.names.size(), 0);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto segment = std::size_t(assignments.users[i].segment_id - 1);
        sum[segment] += options.effects.at(archetype.at(std::size_t(rows[i]))).lift;
        ++users[segment];
    }
    for (std::size_t k = 0; k < sum.size(); ++k) sum[k] = users[k] ? sum[k] / double(users[k]) : 0.0;
    return sum;
}

/// A run's assignment as `read_assignments` would read its `assignments.csv` back: each
/// universe user's id, segment and group (every user in treatment without a holdout).
template <class Scalar>
Assignments assignments_of(const RunResult<Scalar>& result) {
    Assignments out;
    const Strategy& s = result.strategy;
    for (const SegmentDefinition& d : s.solution.rules.segments()) out.names.push_back(d.name);
    out.grouped = s.holdout.has_value();
    const std::optional<Holdout> holdout = s.holdout ? std::optional<Holdout>(std::in_place, s.holdout->options) : std::nullopt;
    const auto ids = result.data.user_id();
    out.users.reserve(std::size_t(result.universe.size()));
    for (Eigen::Index i = 0; i < result.universe.size(); ++i) {
        const std::int64_t id = ids[result.universe.rows()[i]];
        out.users.push_back({id, s.solution.assignment.segment_ids[i], holdout ? holdout->group(id) : Group::treatment});
    }
    return out;
}

}  // namespace mece

