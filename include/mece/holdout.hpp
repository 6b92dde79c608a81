#pragma once
/// \file holdout.hpp
/// Holdout groups (SPEC section 8.1): which users a campaign leaves out, so that what it
/// added can be measured. A user's group depends on the salt, the user id and the share
/// alone: not on the segment, the row order, the thread count, the shard or the date.
/// A user who moves between segments keeps their group, raising the share only adds users
/// to control, and a new salt reshuffles independently.
///
/// The bucket, in Python's standard library alone (docs/holdout.md has test vectors):
/// \code{.py}
/// def bucket(salt: str, user_id: int) -> int:
///     h = 0xCBF29CE484222325                                # FNV-1a, 64 bits
///     for byte in salt.encode() + b"\0" + str(user_id).encode():
///         h = ((h ^ byte) * 0x100000001B3) % 2**64
///     h = ((h ^ (h >> 30)) * 0xBF58476D1CE4E5B9) % 2**64    # SplitMix64's finaliser
///     h = ((h ^ (h >> 27)) * 0x94D049BB133111EB) % 2**64
///     return (h ^ (h >> 31)) % 10000
/// \endcode

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <mece/detail/parallel.hpp>
#include <mece/error.hpp>
#include <mece/rule_tree.hpp>
#include <mece/universe.hpp>

namespace mece {

/// A user's group: `treatment` gets the campaign, `control` is held out of its segment's
/// campaign, `global_control` out of every campaign.
enum class Group : std::uint8_t { treatment, control, global_control };

/// `treatment`, `control`, `global_control`: the `group` column of assignments.csv.
constexpr std::string_view to_string(Group group) noexcept {
    switch (group) {
        case Group::treatment: return "treatment";
        case Group::control: return "control";
        case Group::global_control: return "global_control";
    }
    return "?";
}

/// The holdout bucket of a user, in [0, 10000): FNV-1a (64 bits) of the salt's bytes, a
/// zero byte and the user id in decimal, mixed by SplitMix64's finaliser, modulo 10000.
/// The name `strategy.json` gives it is `holdout_hash_name`.
constexpr std::uint32_t holdout_bucket(std::string_view salt, std::int64_t user_id) noexcept {
    std::uint64_t h = 0xCBF29CE484222325ULL;
    const auto add = [&h](unsigned char byte) { h = (h ^ byte) * 0x100000001B3ULL; };
    for (char c : salt) add(static_cast<unsigned char>(c));
    add(0);
    // The decimal digits, most significant first, of the id's magnitude (two's
    // complement, so INT64_MIN has one), after a minus sign.
    std::uint64_t magnitude = user_id < 0 ? 0 - static_cast<std::uint64_t>(user_id) : static_cast<std::uint64_t>(user_id);
    char digits[20]{};
    int count = 0;
    do {
        digits[count++] = char('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude != 0);
    if (user_id < 0) add('-');
    while (count > 0) add(static_cast<unsigned char>(digits[--count]));
    h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ULL;
    h = (h ^ (h >> 27)) * 0x94D049BB133111EBULL;
    return static_cast<std::uint32_t>((h ^ (h >> 31)) % 10000);
}

inline constexpr std::string_view holdout_hash_name = "fnv1a64-splitmix64-mod10000";

/// Who is held out, and the conversion rate the detectable lift is sized with.
struct HoldoutOptions {
    /// Share of each segment held out of its campaign, in [0, 0.5]; 0: no holdout.
    double share = 0;
    std::string salt = "mece";
    /// Share of all users held out of every campaign first (Braze's global control
    /// group), in [0, 0.5]; 0: none. Its salt must differ from `salt`.
    double global_share = 0;
    std::string global_salt = "mece-global";
    /// The conversion rate `mde_abs` assumes, in (0, 1).
    double baseline_rate = 0.05;

    bool enabled() const noexcept { return share > 0 || global_share > 0; }

    /// Throws `ConfigError` naming the key of a value out of range, or equal salts.
    void validate() const {
        const auto share_in_range = [](double v, const char* key) {
            if (!(v >= 0 && v <= 0.5))
                detail::raise<ConfigError>(std::string("holdout.") + key + ": expected a share in [0, 0.5], got " + format_number(v));
        };
        share_in_range(share, "share");
        share_in_range(global_share, "global_share");
        if (!(baseline_rate > 0 && baseline_rate < 1))
            detail::raise<ConfigError>("holdout.baseline_rate: expected a rate in (0, 1), got " + format_number(baseline_rate));
        if (share > 0 && global_share > 0 && salt == global_salt)
            detail::raise<ConfigError>("holdout.global_salt: must differ from holdout.salt ('" + detail::shown_text(salt) +
                                       "'), or the global control group and each segment's control would be the same users");
    }
};

/// Assigns users to groups: first the global control group, `bucket(global_salt, id) <
/// global_share x 10000`, then of the rest `bucket(salt, id) < share x 10000` to control.
class Holdout {
public:
    explicit Holdout(HoldoutOptions options = {}) : options_(std::move(options)) { options_.validate(); }

    const HoldoutOptions& options() const noexcept { return options_; }

    Group group(std::int64_t user_id) const noexcept {
        if (options_.global_share > 0 && double(holdout_bucket(options_.global_salt, user_id)) < options_.global_share * 10000)
            return Group::global_control;
        if (options_.share > 0 && double(holdout_bucket(options_.salt, user_id)) < options_.share * 10000) return Group::control;
        return Group::treatment;
    }

private:
    HoldoutOptions options_;
};

/// The smallest absolute lift in conversion rate that a two-sided test at alpha 0.05
/// detects with 80% power, at conversion rate `rate`, with `n_treatment` and
/// `n_control` users: `2.8016 x sqrt(rate (1 - rate) (1/n_T + 1/n_C))`; NaN when a group
/// is empty (no lift can be measured).
inline double mde_abs(double rate, std::int64_t n_treatment, std::int64_t n_control) noexcept {
    if (n_treatment <= 0 || n_control <= 0 || !(rate >= 0 && rate <= 1)) return std::nan("");
    return 2.8016 * std::sqrt(rate * (1 - rate) * (1.0 / double(n_treatment) + 1.0 / double(n_control)));
}

/// Users of each group.
struct GroupCounts {
    std::int64_t treatment = 0;
    std::int64_t control = 0;
    std::int64_t global_control = 0;

    std::int64_t& operator[](Group g) noexcept {
        return g == Group::treatment ? treatment : g == Group::control ? control : global_control;
    }
    GroupCounts& operator+=(const GroupCounts& other) noexcept {
        treatment += other.treatment;
        control += other.control;
        global_control += other.global_control;
        return *this;
    }
    friend bool operator==(const GroupCounts&, const GroupCounts&) = default;
};

/// A run's holdout: what it was made with, and its groups' sizes in each segment.
struct HoldoutCounts {
    HoldoutOptions options{};
    /// By segment id: `segments[id - 1]`.
    std::vector<GroupCounts> segments{};

    /// The counts of segment `id`.
    const GroupCounts& of(int id) const {
        detail::check_segment_id(id, segments.size(), "holdout counts");
        return segments[std::size_t(id - 1)];
    }
    /// The whole universe's.
    GroupCounts total() const noexcept {
        GroupCounts sum;
        for (const GroupCounts& c : segments) sum += c;
        return sum;
    }
};

/// Each segment's groups under `holdout`, over the users of `scope` as `assignment` puts
/// them in segments, on the scope's threads (the counts are the same for any number).
template <class Scalar>
HoldoutCounts count_groups(const Scope<Scalar>& scope, const Assignment& assignment, const Holdout& holdout) {
    const Universe& universe = scope.universe();
    if (assignment.segment_ids.size() != universe.size())
        detail::raise<Error>("holdout counts: the assignment has " + std::to_string(assignment.segment_ids.size()) +
                             " users, the universe " + std::to_string(universe.size()));
    const std::size_t segments = assignment.sizes.size();
    constexpr Eigen::Index chunk = Eigen::Index{1} << 16;
    const Eigen::Index tasks = (universe.size() + chunk - 1) / chunk;
    std::vector<std::vector<GroupCounts>> partial(static_cast<std::size_t>(tasks), std::vector<GroupCounts>(segments));
    const auto ids = scope.data().user_id();
    detail::for_each_task(tasks, scope.threads(), [&](Eigen::Index task) {
        std::vector<GroupCounts>& counts = partial[std::size_t(task)];
        const Eigen::Index end = std::min(universe.size(), (task + 1) * chunk);
        for (Eigen::Index i = task * chunk; i < end; ++i) {
            const std::int32_t id = assignment.segment_ids[i];
            detail::check_segment_id(id, segments, "holdout counts");
            ++counts[std::size_t(id - 1)][holdout.group(ids[universe.rows()[i]])];
        }
    });
    HoldoutCounts out{holdout.options(), std::vector<GroupCounts>(segments)};
    for (const auto& counts : partial)
        for (std::size_t k = 0; k < segments; ++k) out.segments[k] += counts[k];
    if (scope.shards()) {  // every shard's users (a collective)
        std::vector<std::int64_t> flat;
        for (const GroupCounts& g : out.segments) flat.insert(flat.end(), {g.treatment, g.control, g.global_control});
        detail::add_up(scope.shards(), flat);
        for (std::size_t k = 0; k < segments; ++k) out.segments[k] = {flat[3 * k], flat[3 * k + 1], flat[3 * k + 2]};
    }
    return out;
}

}  // namespace mece
