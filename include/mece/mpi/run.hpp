#pragma once
/// \file mpi/run.hpp
/// `mece::mpi::run`: the pipeline of `mece::run` over the ranks, each holding some of the
/// users. Its strategy is the one a single process gives on all the users together, to
/// the bit, on every rank; the segment ids each rank holds are those of its own users.
///
/// A rank's users may be any run of the input's rows, in input order (its byte range of
/// a CSV, its share of the synthetic data). The universe is found with the latest date of
/// all ranks, then moved so that each rank holds whole chunks of the engine's blocks in
/// universe order (only the users before a rank's first chunk boundary travel, to the
/// rank before): a chunk's sums are then made exactly as one process makes them, and
/// merged in the same order.

#include <bit>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <mece/dataset.hpp>
#include <mece/engine/blocks.hpp>
#include <mece/error.hpp>
#include <mece/mpi/communicator.hpp>
#include <mece/mpi/shards.hpp>
#include <mece/run.hpp>
#include <mece/segmentation.hpp>
#include <mece/strategy.hpp>
#include <mece/universe.hpp>

namespace mece::mpi {

/// One rank's part of a sharded run.
template <class Scalar>
struct ShardedResult {
    /// This rank's users of the universe, in universe order, and the universe of them all.
    Dataset<Scalar> data;
    Universe universe;
    /// The whole run's strategy, the same on every rank but for the segment ids in
    /// `solution.assignment`, which are those of this rank's users.
    Strategy strategy;
    /// Universe position of this rank's first user.
    Eigen::Index first = 0;
    unsigned threads = 1;
    const Ranks* ranks = nullptr;

    /// The rank's users as a sharded scope, for the writers and the components.
    Scope<Scalar> scope() const& {
        return Scope<Scalar>(data, universe, {.threads = threads, .shards = ranks, .first = first, .total = strategy.universe.size()});
    }
    Scope<Scalar> scope() const&& = delete;

    bool ok() const noexcept { return strategy.check.ok(); }
};

namespace detail {

template <class Scalar>
std::uint64_t word_of(Scalar value) noexcept {
    if constexpr (sizeof(Scalar) == 8) return std::bit_cast<std::uint64_t>(value);
    else return std::bit_cast<std::uint32_t>(value);
}
template <class Scalar>
Scalar scalar_of(std::uint64_t word) noexcept {
    if constexpr (sizeof(Scalar) == 8) return std::bit_cast<Scalar>(word);
    else return std::bit_cast<Scalar>(std::uint32_t(word));
}

/// Rows of a dataset as 64-bit words, to travel between ranks: id, both dates, both
/// counts, three measures and each extra column, one word each but for the pairs.
template <class Scalar>
class RowWords {
public:
    explicit RowWords(const Dataset<Scalar>& data) : data_(&data), names_(data.extra_names()) {
        for (const auto& name : names_) extras_.push_back(*data.extra(name));
    }
    std::size_t words() const noexcept { return words_for(extras_.size()); }
    /// Words of a row with `extras` extra columns.
    static constexpr std::size_t words_for(std::size_t extras) noexcept { return schema_words + extras; }
    const std::vector<std::string>& extra_names() const noexcept { return names_; }

    void pack(RowIndex row, std::vector<std::uint64_t>& out) const {
        const Dataset<Scalar>& d = *data_;
        out.push_back(std::uint64_t(d.user_id()[row]));
        out.push_back(std::uint64_t(std::uint32_t(d.cart_abandoned_date()[row])) | std::uint64_t(std::uint32_t(d.last_order_date()[row])) << 32);
        out.push_back(std::uint64_t(std::uint32_t(d.sessions_last_30d()[row])) | std::uint64_t(std::uint32_t(d.num_cart_items()[row])) << 32);
        out.push_back(word_of(d.avg_order_value()[row]));
        out.push_back(word_of(d.engagement_score()[row]));
        out.push_back(word_of(d.profitability_score()[row]));
        for (const auto& column : extras_) out.push_back(word_of(column[row]));
    }

    /// Columns for `rows` rows with the extra columns of `names`, to fill.
    static typename Dataset<Scalar>::Columns columns(Eigen::Index rows, const std::vector<std::string>& names) {
        typename Dataset<Scalar>::Columns c;
        c.resize(rows);
        for (const auto& name : names) c.extra.emplace_back(name, Column<Scalar>(rows));
        return c;
    }
    /// Row `at` of `c` from `words` of it.
    static void unpack(const std::uint64_t* w, typename Dataset<Scalar>::Columns& c, Eigen::Index at) {
        c.user_id[at] = std::int64_t(w[0]);
        c.cart_abandoned_date[at] = Days(std::int32_t(std::uint32_t(w[1])));
        c.last_order_date[at] = Days(std::int32_t(std::uint32_t(w[1] >> 32)));
        c.sessions_last_30d[at] = std::int32_t(std::uint32_t(w[2]));
        c.num_cart_items[at] = std::int32_t(std::uint32_t(w[2] >> 32));
        c.avg_order_value[at] = scalar_of<Scalar>(w[3]);
        c.engagement_score[at] = scalar_of<Scalar>(w[4]);
        c.profitability_score[at] = scalar_of<Scalar>(w[5]);
        for (std::size_t e = 0; e < c.extra.size(); ++e) c.extra[e].second[at] = scalar_of<Scalar>(w[schema_words + e]);
    }

private:
    static constexpr std::size_t schema_words = 6;
    const Dataset<Scalar>* data_;
    std::vector<std::string> names_;
    std::vector<ColumnView<Scalar>> extras_;
};

/// A rank's universe users as whole chunks, and where they start in the universe.
template <class Scalar>
struct Chunked {
    Dataset<Scalar> data{};
    Eigen::Index first = 0;
    Eigen::Index total = 0;
};

/// Moves the universe users so that every rank holds the chunks that start in its own
/// run of the universe, whole: a rank's users before its first chunk boundary go to the
/// rank that holds the start of their chunk. Returns them in universe order.
template <class Scalar>
Chunked<Scalar> universe_in_chunks(const Communicator& comm, const Dataset<Scalar>& local, const Universe& universe) {
    constexpr Eigen::Index chunk = engine::chunk_rows;
    const std::vector<std::int64_t> sizes = comm.all_gather(std::int64_t(universe.size()));
    std::vector<std::int64_t> offset(sizes.size() + 1, 0);
    for (std::size_t r = 0; r < sizes.size(); ++r) offset[r + 1] = offset[r] + sizes[r];
    const auto me = std::size_t(comm.rank());
    const std::int64_t begin = offset[me], end = offset[me + 1], total = offset.back();
    const std::int64_t boundary = (begin + chunk - 1) / chunk * chunk;  // my first chunk start
    const bool owns = boundary < end;
    const std::int64_t keep_from = owns ? boundary : end;
    const std::int64_t own_end = owns ? std::min<std::int64_t>(total, (end + chunk - 1) / chunk * chunk) : end;

    const RowWords<Scalar> words(local);
    // The users before my first boundary belong to the chunk that starts on a rank before.
    std::vector<std::vector<std::uint64_t>> to(std::size_t(comm.size()));
    if (begin < keep_from) {
        const std::int64_t start = begin / chunk * chunk;
        const auto holder = std::size_t(std::upper_bound(offset.begin(), offset.end(), start) - offset.begin()) - 1;
        for (std::int64_t p = begin; p < keep_from; ++p) words.pack(universe.rows()[Eigen::Index(p - begin)], to[holder]);
    }
    const std::vector<std::uint64_t> received = comm.all_to_all(to);
    const std::size_t w = words.words();
    if (received.size() % w != 0 || std::int64_t(received.size() / w) != own_end - end)
        mece::detail::raise<Error>("mpi: the universe's users did not arrive whole");

    const Eigen::Index kept = Eigen::Index(end - keep_from);
    const Eigen::Index rows = kept + Eigen::Index(received.size() / w);
    auto c = RowWords<Scalar>::columns(rows, words.extra_names());
    c.text = local.text_columns();  // so that a rule naming one is told why it cannot read it
    // The users kept, column by column; then those received, row by row.
    const auto kept_rows = universe.rows().segment(Eigen::Index(keep_from - begin), kept);
    c.user_id.head(kept) = local.user_id()(kept_rows);
    c.cart_abandoned_date.head(kept) = local.cart_abandoned_date()(kept_rows);
    c.last_order_date.head(kept) = local.last_order_date()(kept_rows);
    c.avg_order_value.head(kept) = local.avg_order_value()(kept_rows);
    c.sessions_last_30d.head(kept) = local.sessions_last_30d()(kept_rows);
    c.num_cart_items.head(kept) = local.num_cart_items()(kept_rows);
    c.engagement_score.head(kept) = local.engagement_score()(kept_rows);
    c.profitability_score.head(kept) = local.profitability_score()(kept_rows);
    for (auto& [name, column] : c.extra) column.head(kept) = (*local.extra(name))(kept_rows);
    Eigen::Index at = kept;
    for (std::size_t k = 0; k < received.size(); k += w, ++at) RowWords<Scalar>::unpack(received.data() + k, c, at);
    return {Dataset<Scalar>(std::move(c)), Eigen::Index(rows > 0 ? keep_from : 0), Eigen::Index(total)};
}

}  // namespace detail

/// The pipeline over every rank's `local` users (a run of the input's rows each, in
/// input order, rank 0 first), scored with `scorer`: `mece::run` on all of them
/// together, the same bits for any number of ranks. Collective; an error on any rank
/// is the same error on every rank (`agree`).
template <class Scalar, class... Dimensions>
ShardedResult<Scalar> run(const Ranks& ranks, const Dataset<Scalar>& local, const RuleTree& rules, const RunOptions& options,
                          const Scorer<Dimensions...>& scorer) {
    const Communicator& comm = ranks.communicator();
    check_scoring_names(rules, options.scoring, options.priorities);
    options.lift.validate();
    const ConstraintSolver solver{options.constraints};
    const Holdout holdout{options.holdout};
    const unsigned threads = mece::detail::thread_count(options.threads);

    // The window ends at the latest date of every rank, unless as_of is given.
    std::vector<std::int64_t> latest{std::numeric_limits<std::int64_t>::min()};
    const auto dates = local.cart_abandoned_date();
    for (Eigen::Index i = 0; i < dates.size(); ++i) latest[0] = std::max<std::int64_t>(latest[0], dates[i]);
    comm.max(latest);
    const Eigen::Index dataset_rows = Eigen::Index(comm.sum(std::int64_t(local.rows())));
    UniverseOptions window = options.universe;
    window.threads = threads;
    if (!window.as_of && dataset_rows > 0) window.as_of = Days(latest[0]);  // else the universe says the data is empty
    const Universe mine = agree(comm, [&] { return Universe(local, window); });
    const Eigen::Index after_as_of = Eigen::Index(comm.sum(std::int64_t(mine.after_as_of())));

    detail::Chunked<Scalar> chunked = detail::universe_in_chunks(comm, local, mine);
    Universe all(chunked.data, {.as_of = mine.as_of(), .window_days = mine.window_days(), .threads = threads});
    const Scope<Scalar> scope(chunked.data, all,
                              {.threads = threads, .shards = &ranks, .first = chunked.first, .total = chunked.total, .workspace = options.workspace});
    Segmentation result = agree(comm, [&] { return segment(scope, rules, solver, options.apply_constraints); });
    std::optional<HoldoutCounts> groups;
    if (holdout.options().enabled()) groups = count_groups(scope, result.solution.assignment, holdout);
    Scores scores = scorer.score(result.solution.rules, result.stats);
    std::optional<LiftRanking> lift;
    if (!options.lift.measured.empty()) lift = mece::detail::rank_by_lift(scores, result.solution.rules.segments(), result.stats, options);
    const UniverseSummary summary(mine.as_of(), mine.first_day(), mine.window_days(), chunked.total, dataset_rows,
                                  options.universe.as_of.has_value(), after_as_of);
    RunInfo info{options.input, options.rejected_rows, options.apply_constraints,
                 run_warnings(summary, result.solution, result.stats, options.apply_constraints)};
    Strategy strategy{std::move(result.solution), std::move(scores), std::move(result.stats), result.check, summary,
                      std::move(info), std::move(groups), std::move(lift), std::move(result.overlap)};
    return ShardedResult<Scalar>{std::move(chunked.data), std::move(all), std::move(strategy), chunked.first, threads, &ranks};
}

/// As above, scored on the five default dimensions with the options' weights, tiers,
/// actions, priorities and size target.
template <class Scalar>
ShardedResult<Scalar> run(const Ranks& ranks, const Dataset<Scalar>& local, const RuleTree& rules, const RunOptions& options = {}) {
    const auto scorer = make_scorer(default_dimensions(options.priorities, options.size_target, options.lift), options.scoring);
    return run(ranks, local, rules, options, scorer);
}

}  // namespace mece::mpi
