#pragma once
/// \file migration.hpp
/// How users moved between two runs (SPEC section 8.5): the transition matrix by
/// segment name, with "not in universe" on both sides, how many stayed in, entered and
/// left each segment, and the delta, the users whose segment changed, which is all an
/// incremental CRM or CDP sync needs to send.
///
/// Segments are matched by name. A segment renamed between the runs is a new segment: its
/// users count as having left the old name and entered the new one (and are in the
/// delta). A segment split into parts (`Other Bucket` into `Other Bucket / ...`) sends
/// its users to the parts, which the matrix shows row by row.

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <mece/error.hpp>
#include <mece/io/campaign.hpp>

namespace mece {

/// A user whose segment changed between two runs.
struct DeltaRow {
    enum class Change : std::uint8_t { entered, left, moved };
    std::int64_t user_id = 0;
    /// Indices into `Migration::names`; -1 for "not in universe".
    int old_segment = -1, new_segment = -1;
    Change change = Change::moved;
};

constexpr std::string_view to_string(DeltaRow::Change change) noexcept {
    switch (change) {
        case DeltaRow::Change::entered: return "entered";
        case DeltaRow::Change::left: return "left";
        case DeltaRow::Change::moved: return "moved";
    }
    return "?";
}

/// One segment name's users in the two runs.
struct SegmentMigration {
    std::string name{};
    /// Its users in the old run and in the new one (0 where the run has no such segment).
    std::int64_t old_size = 0, new_size = 0;
    /// In it in both runs; in it now and not before; in it before and not now.
    std::int64_t stayed = 0, entered = 0, left = 0;
};

/// The migration between an old and a new run.
struct Migration {
    /// Every segment name: the old run's in id order, then the new run's names the old
    /// run did not have.
    std::vector<std::string> names{};
    /// The old run's segments (`old_rows[i]` indexes `names`) and the new run's, in id order.
    std::vector<int> old_rows{}, new_columns{};
    /// `matrix[i * (new_columns.size() + 1) + j]`: users in old segment `old_rows[i]` and new
    /// segment `new_columns[j]`; the last row and column are "not in universe".
    std::vector<std::int64_t> matrix{};
    /// Per name of `names`.
    std::vector<SegmentMigration> segments{};
    /// Users in the old run, in the new one, and in both.
    std::int64_t old_users = 0, new_users = 0, shared_users = 0;
    /// The users of the delta by change: in both runs in segments of different names;
    /// only in the new run; only in the old one.
    std::int64_t moved = 0, entered = 0, left = 0;
    /// The users whose segment changed, by user id.
    std::vector<DeltaRow> delta{};

    std::size_t columns() const noexcept { return new_columns.size() + 1; }
    std::int64_t at(std::size_t old_row, std::size_t new_column) const { return matrix.at(old_row * columns() + new_column); }
    /// Users who are in the same segment in both runs.
    std::int64_t stayed() const noexcept { return shared_users - moved; }
};

namespace detail {

/// `(order_key, segment id)` of every user, sorted by user id.
inline std::vector<std::pair<std::uint64_t, std::int32_t>> by_user(const Assignments& a) {
    std::vector<std::pair<std::uint64_t, std::int32_t>> out;
    out.reserve(a.users.size());
    for (const AssignedUser& u : a.users) out.emplace_back(order_key(u.user_id), u.segment_id);
    sort_by_key(out);
    return out;
}

}  // namespace detail

/// The migration from `before` to `after`, two runs' assignments (`read_assignments`).
inline Migration migrate(const Assignments& before, const Assignments& after) {
    Migration m;
    std::map<std::string, int, std::less<>> index;
    const auto name_index = [&](const std::string& name) {
        const auto [found, added] = index.try_emplace(name, int(m.names.size()));
        if (added) m.names.push_back(name);
        return found->second;
    };
    for (const std::string& name : before.names) m.old_rows.push_back(name_index(name));
    for (const std::string& name : after.names) m.new_columns.push_back(name_index(name));
    const std::size_t rows = m.old_rows.size() + 1, columns = m.columns();
    m.matrix.assign(rows * columns, 0);
    m.segments.resize(m.names.size());
    for (std::size_t k = 0; k < m.names.size(); ++k) m.segments[k].name = m.names[k];

    const auto old_users = detail::by_user(before), new_users = detail::by_user(after);
    m.old_users = std::int64_t(old_users.size());
    m.new_users = std::int64_t(new_users.size());
    const auto record = [&](std::uint64_t key, std::int32_t old_id, std::int32_t new_id) {
        const std::size_t row = old_id ? std::size_t(old_id - 1) : rows - 1, column = new_id ? std::size_t(new_id - 1) : columns - 1;
        ++m.matrix[row * columns + column];
        const int from = old_id ? m.old_rows[std::size_t(old_id - 1)] : -1, to = new_id ? m.new_columns[std::size_t(new_id - 1)] : -1;
        if (from >= 0) ++m.segments[std::size_t(from)].old_size;
        if (to >= 0) ++m.segments[std::size_t(to)].new_size;
        if (from == to) {
            ++m.segments[std::size_t(from)].stayed;
            return;
        }
        if (from >= 0) ++m.segments[std::size_t(from)].left;
        if (to >= 0) ++m.segments[std::size_t(to)].entered;
        const auto change = from < 0 ? DeltaRow::Change::entered : to < 0 ? DeltaRow::Change::left : DeltaRow::Change::moved;
        ++(from < 0 ? m.entered : to < 0 ? m.left : m.moved);
        m.delta.push_back({detail::user_id_of(key), from, to, change});
    };
    std::size_t i = 0, j = 0;
    while (i < old_users.size() || j < new_users.size()) {
        if (j == new_users.size() || (i < old_users.size() && old_users[i].first < new_users[j].first)) {
            record(old_users[i].first, old_users[i].second, 0);
            ++i;
        } else if (i == old_users.size() || new_users[j].first < old_users[i].first) {
            record(new_users[j].first, 0, new_users[j].second);
            ++j;
        } else {
            record(old_users[i].first, old_users[i].second, new_users[j].second);
            ++m.shared_users;
            ++i, ++j;
        }
    }
    return m;
}

}  // namespace mece
