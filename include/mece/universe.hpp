#pragma once
/// \file universe.hpp
/// `Universe`: the users in scope, those who abandoned a cart in the `window_days`
/// calendar days that end at `as_of`, inclusive (SPEC section 3).

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include <mece/dataset.hpp>
#include <mece/detail/parallel.hpp>
#include <mece/engine/workspace.hpp>
#include <mece/error.hpp>
#include <mece/fwd.hpp>
#include <mece/shards.hpp>

namespace mece {

/// How the universe is chosen.
struct UniverseOptions {
    /// Last day of the window; by default the latest abandonment date in the data, so a
    /// run on the same data is reproducible.
    std::optional<Days> as_of{};
    /// Length of the window in calendar days, `as_of` included.
    int window_days = defaults::window_days;
    /// Threads for the selection; 0 means every core. The rows are the same for any number.
    unsigned threads = 0;
};

/// The rows in scope: `as_of - (window_days - 1) <= cart_abandoned_date <= as_of`.
///
/// A universe is a selection of row indices of one dataset, in ascending order, never a
/// copy of its data. It remembers which dataset it selects from, so that pairing it with
/// another one is an error (see `Scope`) rather than a read past a column's end.
///
/// \code
/// mece::Universe universe{data};                           // last 7 days of the data
/// mece::Universe june{data, {.as_of = *mece::parse_date("2026-06-30"), .window_days = 7}};
/// \endcode
class Universe {
public:
    /// The users of `data` in the window (no default universe: one that meant "nobody"
    /// would pass every check with 0 users). Keeps no reference to `data`.
    template <class Scalar>
    explicit Universe(const Dataset<Scalar>& data, UniverseOptions options = {})
        : window_days_(options.window_days), dataset_rows_(data.rows()), dataset_(data.user_id().data()) {
        if (options.window_days < 1)
            detail::raise<ConfigError>("universe: window_days must be at least 1, got " +
                                       std::to_string(options.window_days));
        if (!options.as_of && data.rows() == 0)
            detail::raise<InputError>("universe: the dataset is empty, so there is no latest abandonment date to use as as_of");
        select(data.cart_abandoned_date().data(), data.rows(), options);
    }

    /// Last day of the window.
    Days as_of() const noexcept { return as_of_; }
    /// First day of the window.
    Days first_day() const noexcept { return first_day_; }
    int window_days() const noexcept { return window_days_; }

    /// Number of users in scope.
    Eigen::Index size() const noexcept { return rows_.size(); }

    /// Whether `as_of` was given (false: it is the latest abandonment date).
    bool as_of_given() const noexcept { return as_of_given_; }
    /// Rows whose cart is dated after a given `as_of`: outside the window, as every row
    /// before it is (0 when `as_of` is the latest date).
    Eigen::Index after_as_of() const noexcept { return after_as_of_; }

    /// Row indices in scope, ascending.
    const Column<RowIndex>& rows() const noexcept { return rows_; }

    /// Rows of the dataset the universe selects from.
    Eigen::Index dataset_rows() const noexcept { return dataset_rows_; }

    /// Whether the universe selects rows of `data` (or of a copy, which shares its columns).
    template <class Scalar>
    bool selects_from(const Dataset<Scalar>& data) const noexcept {
        return data.rows() == dataset_rows_ && data.user_id().data() == dataset_;
    }

private:
    /// The rows are cut into ranges of a fixed size, one task each, so the rows are the same
    /// for any number of threads. Two passes over the dates: the first finds each range's
    /// latest date and counts its rows in the window that ends there (the range is still in
    /// cache), which is the count wanted wherever that date is the latest of all (with
    /// as_of given, it counts the rows in the window); only a range whose latest date is
    /// earlier is counted again. The second writes each range's rows at the place the
    /// counts before it give, without a data-dependent branch (a row's index is always
    /// stored, and the cursor only moves past it when the row is in).
    void select(const Days* dates, Eigen::Index rows, const UniverseOptions& options) {
        constexpr Eigen::Index range = Eigen::Index{1} << 16;
        const Eigen::Index ranges = (rows + range - 1) / range;
        const unsigned threads = detail::thread_count(options.threads, ranges);
        const auto length = [&](Eigen::Index r) { return std::min(range, rows - r * range); };
        // The first day of the window of `window_days` ending at `last`, computed wide so
        // that a date near the end of the range of Days cannot overflow it.
        const auto window_from = [&](Days last) {
            return Days(std::max<std::int64_t>(std::int64_t(last) - (options.window_days - 1), std::numeric_limits<Days>::min()));
        };
        // Rows of range r with a date in [first, last]: one unsigned compare each.
        const auto count_in = [&](Eigen::Index r, Days first, Days last) {
            const Days* part = dates + r * range;
            const auto width = std::uint32_t(last) - std::uint32_t(first);
            Eigen::Index n = 0;
            for (Eigen::Index i = 0, end = length(r); i < end; ++i)
                n += std::uint32_t(part[i]) - std::uint32_t(first) <= width ? 1 : 0;
            return n;
        };
        std::vector<Days> latest(std::size_t(ranges), std::numeric_limits<Days>::min());
        std::vector<Eigen::Index> start(std::size_t(ranges) + 1, 0), later(std::size_t(ranges), 0);
        detail::for_each_task(ranges, threads, [&](Eigen::Index r) {
            if (options.as_of) {
                start[std::size_t(r) + 1] = count_in(r, window_from(*options.as_of), *options.as_of);
                const Days* part = dates + r * range;
                Eigen::Index n = 0;
                for (Eigen::Index i = 0, end = length(r); i < end; ++i) n += part[i] > *options.as_of ? 1 : 0;
                later[std::size_t(r)] = n;
                return;
            }
            const Days* part = dates + r * range;
            Days top = std::numeric_limits<Days>::min();
            for (Eigen::Index i = 0, end = length(r); i < end; ++i) top = std::max(top, part[i]);
            latest[std::size_t(r)] = top;
            start[std::size_t(r) + 1] = count_in(r, window_from(top), top);
        });
        as_of_ = options.as_of ? *options.as_of : *std::max_element(latest.begin(), latest.end());
        as_of_given_ = options.as_of.has_value();
        for (Eigen::Index n : later) after_as_of_ += n;
        if (!date_in_range(as_of_))
            detail::raise<ConfigError>(std::string("universe: as_of") + (options.as_of ? "" : " (the latest abandonment date)") +
                                       " is " + format_date(as_of_) + ", outside 0001-01-01 to 9999-12-31");
        first_day_ = window_from(as_of_);
        if (first_day_ < min_date)
            detail::raise<ConfigError>("universe: the window of " + std::to_string(options.window_days) + " days ending " +
                                       format_date(as_of_) + " starts before 0001-01-01");
        if (!options.as_of) {
            std::vector<Eigen::Index> recount;
            for (Eigen::Index r = 0; r < ranges; ++r)
                if (latest[std::size_t(r)] != as_of_) recount.push_back(r);
            detail::for_each_task(Eigen::Index(recount.size()), threads, [&](Eigen::Index k) {
                const Eigen::Index r = recount[std::size_t(k)];
                start[std::size_t(r) + 1] = count_in(r, first_day_, as_of_);
            });
        }
        for (std::size_t r = 1; r < start.size(); ++r) start[r] += start[r - 1];
        rows_.resize(start.back());
        const Days first_day = first_day_;
        const auto width = std::uint32_t(as_of_) - std::uint32_t(first_day_);
        detail::for_each_task(ranges, threads, [&](Eigen::Index r) {
            // A range stops once it holds all its rows, so its spare write never reaches the next range's.
            Eigen::Index next = start[std::size_t(r)];
            const Eigen::Index last = start[std::size_t(r) + 1];
            RowIndex* out = rows_.data();
            for (Eigen::Index row = r * range, end = row + length(r); row < end && next < last; ++row) {
                out[next] = row;
                next += std::uint32_t(dates[row]) - std::uint32_t(first_day) <= width ? 1 : 0;
            }
        });
    }

    Days as_of_ = 0;
    Days first_day_ = 0;
    bool as_of_given_ = false;
    Eigen::Index after_as_of_ = 0;
    int window_days_ = defaults::window_days;
    Column<RowIndex> rows_;
    Eigen::Index dataset_rows_ = 0;
    /// The dataset's first column, which identifies it (copies of a dataset share it).
    const void* dataset_ = nullptr;
};

/// How the engine runs the passes over a scope.
struct ScopeOptions {
    /// Threads for the passes over the users; 0 means every core. Results are the same,
    /// to the bit, for any number.
    unsigned threads = 0;
    /// The other shards of a sharded run (see `shards.hpp`), which must outlive the
    /// scope; none for a whole run.
    const Shards* shards = nullptr;
    /// With shards: the universe position of this shard's first user (a multiple of
    /// `shard_alignment`), and the users of every shard together.
    Eigen::Index first = 0;
    Eigen::Index total = 0;
    /// Where the passes borrow their large temporary arrays (see `engine::Workspace`),
    /// which must outlive the scope; none: each pass makes its own.
    engine::Workspace* workspace = nullptr;
};

/// A dataset and the universe of its rows in scope, checked to belong together once, when
/// the scope is made: what every component reads. Holds references to both, which must
/// outlive it (temporaries are refused at compile time).
///
/// \code
/// const mece::Universe universe{data};
/// const mece::Scope scope{data, universe, {.threads = 2}};
/// const auto rules = tree.resolve(scope);
/// const auto assignment = rules.assign(scope);
/// \endcode
template <class Scalar>
class Scope {
public:
    Scope(const Dataset<Scalar>& data, const Universe& universe, ScopeOptions options = {})
        : data_(&data), universe_(&universe), threads_(options.threads), shards_(options.shards), first_(options.first),
          total_(options.shards ? options.total : universe.size()), workspace_(options.workspace) {
        if (universe.dataset_rows() != data.rows())
            detail::raise<InputError>("scope: the universe selects from a dataset of " + std::to_string(universe.dataset_rows()) +
                                      " rows, not from this one of " + std::to_string(data.rows()) + " rows");
        if (!universe.selects_from(data))
            detail::raise<InputError>("scope: the universe selects from another dataset of the same " +
                                      std::to_string(data.rows()) + " rows; make the universe from this one");
        if (shards_ && (first_ < 0 || first_ > total_ - universe.size() || (universe.size() > 0 && first_ % shard_alignment != 0)))
            detail::raise<Error>("scope: a shard's users from universe position " + std::to_string(first_) + ", " +
                                 std::to_string(universe.size()) + " of " + std::to_string(total_) +
                                 ", are not whole chunks of the universe (they must start at a multiple of " +
                                 std::to_string(shard_alignment) + ")");
        threads_ = detail::thread_count(threads_);
    }
    Scope(Dataset<Scalar>&&, const Universe&, ScopeOptions = {}) = delete;
    Scope(const Dataset<Scalar>&, Universe&&, ScopeOptions = {}) = delete;

    const Dataset<Scalar>& data() const noexcept { return *data_; }
    const Universe& universe() const noexcept { return *universe_; }
    /// Users in scope.
    Eigen::Index size() const noexcept { return universe_->size(); }
    Days as_of() const noexcept { return universe_->as_of(); }
    /// Threads the passes may use, at least 1.
    unsigned threads() const noexcept { return threads_; }
    /// The other shards of a sharded run, or none.
    const Shards* shards() const noexcept { return shards_; }
    /// Universe position of the first user in scope (0 without shards).
    Eigen::Index first() const noexcept { return first_; }
    /// Users in scope over every shard (`size()` without shards).
    Eigen::Index total_size() const noexcept { return total_; }
    /// Where the passes borrow large arrays, or none.
    engine::Workspace* workspace() const noexcept { return workspace_; }
    /// The same scope on `threads` threads.
    Scope with_threads(unsigned threads) const {
        return Scope(*data_, *universe_, {.threads = threads, .shards = shards_, .first = first_, .total = total_, .workspace = workspace_});
    }

private:
    const Dataset<Scalar>* data_;
    const Universe* universe_;
    unsigned threads_;
    const Shards* shards_;
    Eigen::Index first_;
    Eigen::Index total_;
    engine::Workspace* workspace_;
};

}  // namespace mece
