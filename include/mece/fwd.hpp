#pragma once
/// \file fwd.hpp
/// Forward declarations, the basic index and date types, and the library's defaults.

#include <cstdint>
#include <limits>

#include <Eigen/Core>

namespace mece {

/// A calendar date as days since 1970-01-01, the same count as `std::chrono::sys_days`.
using Days = std::int32_t;

/// The `last_order_date` of a user who never ordered.
inline constexpr Days no_date = std::numeric_limits<Days>::min();
/// The first and last day a date may be, 0001-01-01 and 9999-12-31 (what `YYYY-MM-DD`
/// can write): a date outside is refused where it is read or computed.
inline constexpr Days min_date = -719162;
inline constexpr Days max_date = 2932896;

/// A row of a dataset.
using RowIndex = Eigen::Index;

/// A one-column Eigen array, the storage of every column.
template <class T>
using Column = Eigen::Array<T, Eigen::Dynamic, 1>;

/// A read-only view of a column that lives elsewhere (the dataset's storage or a caller's buffer).
template <class T>
using ColumnView = Eigen::Map<const Column<T>>;

/// Defaults shared by the components (SPEC sections 3 and 5).
namespace defaults {
inline constexpr int window_days = 7;
inline constexpr const char* catch_all_name = "Other Bucket";
inline constexpr Eigen::Index min_size = 500;
inline constexpr Eigen::Index max_size = 20000;
}  // namespace defaults

/// Limits on what a rule tree may hold, so that no input can exhaust memory or time:
/// each segment's definition spells out the earlier rules it excludes, which grows with
/// the square of the rule count, and a name is repeated on every row of assignments.csv.
namespace limits {
/// Rules in a tree, sub-rules and catch-alls included.
inline constexpr std::size_t max_rules = 1000;
/// Bytes in a segment name.
inline constexpr std::size_t max_name_bytes = 200;
/// Conditions in one rule (a `between` counts as two).
inline constexpr std::size_t max_conditions = 100;
/// Conditions in all the segments' exact rules together, each written out with the
/// earlier rules it excludes (what `strategy.json`, `strategy.md` and the report print).
inline constexpr std::size_t max_rule_terms = 2'000'000;
}  // namespace limits

template <class Scalar>
class Dataset;
class Universe;
template <class Scalar>
class Scope;
class RuleTree;
class ResolvedRules;
struct Assignment;

}  // namespace mece
