#pragma once
/// \file constraint_solver.hpp
/// `ConstraintSolver`: keeps every segment at an actionable size (SPEC section 5). A
/// rule below `min_size` is dissolved, its users falling through to the later rules; a
/// catch-all below it is merged with the segment closest to it in profile under its
/// rule; one above `max_size` is split into parts at cut points of a feature. The result
/// is a new resolved rule tree whose segment definitions stay exact, the assignment under
/// it, a validity flag and reason per segment, and a log of every change (the types are
/// in `constraints.hpp`).

#include <algorithm>
#include <charconv>
#include <limits>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include <mece/dataset.hpp>
#include <mece/detail/exact_sum.hpp>
#include <mece/detail/parallel.hpp>
#include <mece/detail/quantile.hpp>
#include <mece/detail/search.hpp>
#include <mece/engine/blocks.hpp>
#include <mece/engine/compiled_rules.hpp>
#include <mece/constraints.hpp>
#include <mece/engine/passes.hpp>
#include <mece/engine/workspace.hpp>
#include <mece/error.hpp>
#include <mece/fwd.hpp>
#include <mece/rule_tree.hpp>
#include <mece/universe.hpp>

namespace mece {


/// Keeps segments within `[min_size, max_size]`.
///
/// The segments are visited in rule order. A segment above `max_size` is split into
/// parts all within bounds (or kept, flagged); a rule below `min_size` is dissolved, its
/// users falling through to later segments. A catch-all below `min_size` cannot fall
/// through: it is merged with the segment under its rule closest to it in profile among
/// those that stay within bounds with it; when none does, with the closest one reaching
/// `min_size`, which is then split with it at the same cuts. An empty catch-all is
/// dropped, its rule joining the segment before it. A catch-all that is all that is left
/// of its rule, or whose merge would leave the rule one segment, makes the rule the
/// segment again, visited anew (so merging goes up the tree level by level); where no
/// segment under the rule reaches `min_size` with it, so does the rule. Only a final
/// catch-all that no segment can take is kept, flagged with the reason: the whole
/// universe is below `min_size`.
///
/// It terminates: dissolving, merging and dropping remove a segment and add users only
/// to segments already visited (a merge, which stays within bounds or is split at once
/// into parts within bounds) or not yet visited (a dissolve), so a visited segment stays
/// final; a split moves past its parts, which are within bounds and never shrink, so
/// they never cause a merge or collapse; a collapse turns a rule of the original tree into
/// a segment for good (the parts of a later split of it never collapse it again), so
/// there are at most as many collapses as rules. Each change costs time linear in the
/// users it moves, a merge also in the users under its rule (their profiles).
///
/// \code
/// mece::ConstraintSolver solver{{.min_size = 500, .max_size = 20000}};
/// mece::Solution solution = solver.solve(resolved, assignment, scope);
/// \endcode
class ConstraintSolver {
public:
    explicit ConstraintSolver(ConstraintOptions options = {}) : options_(std::move(options)) { options_.validate(); }

    const ConstraintOptions& options() const noexcept { return options_; }

    /// Dissolves, collapses and splits until every segment is within bounds or cannot be.
    template <class Scalar>
    Solution solve(const ResolvedRules& rules, const Assignment& assignment, const Scope<Scalar>& scope) const {
        Run<Scalar> run(options_, rules, assignment, scope);
        return run.solve();
    }
    template <class Scalar>
    Solution solve(const ResolvedRules& rules, const Assignment& assignment, const Dataset<Scalar>& data,
                   const Universe& universe) const {
        return solve(rules, assignment, Scope<Scalar>(data, universe));
    }

    /// Flags the segments out of bounds and changes nothing (constraints switched off).
    Solution check(ResolvedRules rules, Assignment assignment) const {
        Solution solution{std::move(rules), std::move(assignment), {}, {}, options_};
        for (auto size : solution.assignment.sizes) solution.status.push_back(status_of(size, {}));
        return solution;
    }

private:
    SegmentStatus status_of(Eigen::Index size, const std::string& reason) const {
        if (size >= options_.min_size && size <= options_.max_size) return {};
        if (!reason.empty()) return {false, reason};
        return {false, size < options_.min_size ? detail::below_min(size, options_.min_size)
                                                : detail::above_max(size, options_.max_size)};
    }

    /// One solve: the tree as an arena of nodes that the passes edit in place.
    ///
    /// A segment's users (universe positions) are a span of one pool, laid out by segment
    /// with one counting pass; a split reorders its span in place into its parts' spans,
    /// and the few users a dissolved segment passes on are kept beside their new segment's span.
    template <class Scalar>
    class Run {
    public:
        Run(const ConstraintOptions& options, const ResolvedRules& rules, const Assignment& assignment,
            const Scope<Scalar>& scope)
            : options_(options), rules_(rules), scope_(scope), universe_(scope.universe()) {
            if (assignment.segment_ids.size() != universe_.size() || assignment.sizes.size() != rules.segments().size())
                detail::raise<Error>("constraints: the assignment does not belong to these rules and universe");
            std::vector<std::string> merged_into;  // per node, by name
            add(rules.root(), -1, {}, merged_into);
            // A tree solved before: its merged catch-alls join their segments again.
            for (std::size_t n = 0; n < nodes_.size(); ++n) {
                const std::string& host = merged_into[n];
                if (host.empty()) continue;
                for (int k : order_)
                    if (nodes_[std::size_t(k)].rule.name == host) nodes_[n].merged_into = k;
                if (nodes_[n].merged_into < 0)
                    detail::raise<Error>("constraints: '" + nodes_[n].rule.name + "' is merged into '" + host + "', which is no segment");
            }
            if (order_.size() != rules.segments().size())
                detail::raise<Error>("constraints: the rules' tree and segments do not agree");
            members_.resize(nodes_.size());
            // This shard's users laid out by segment; the sizes, of every shard, are the assignment's.
            std::vector<Eigen::Index> here(order_.size(), 0);
            for (Eigen::Index i = 0; i < assignment.segment_ids.size(); ++i) {
                const auto id = assignment.segment_ids[i];
                if (id < 1 || std::size_t(id) > order_.size())
                    detail::raise<Error>("constraints: the assignment does not belong to these rules and universe");
                ++here[std::size_t(id - 1)];
            }
            std::vector<Eigen::Index> everywhere = here;
            detail::add_up(scope.shards(), everywhere);
            if (everywhere != assignment.sizes)
                detail::raise<Error>("constraints: the assignment's sizes are not the counts of its segment ids");
            std::vector<std::size_t> next(order_.size() + 1, 0);
            for (std::size_t s = 0; s < order_.size(); ++s) next[s + 1] = next[s] + std::size_t(here[s]);
            for (std::size_t s = 0; s < order_.size(); ++s) members_[std::size_t(order_[s])] = {next[s], next[s + 1], {}, assignment.sizes[s]};
            pool_.resize(next.back());
            for (Eigen::Index i = 0; i < assignment.segment_ids.size(); ++i) pool_[next[std::size_t(assignment.segment_ids[i] - 1)]++] = i;
            for (const auto& node : nodes_) names_.insert(node.rule.name);
            // Unknown split features are configuration errors, reported before any work.
            for (std::size_t i = 0; i < options.split_features.size(); ++i)
                check_feature(options.split_features[i], "constraints.split_features[" + std::to_string(i) + "]");
            for (const auto& [segment, feature] : options.split_by) check_feature(feature, "split_by of '" + segment + "'");
            for (std::size_t i = 0; i < options.profile_features.size(); ++i)
                check_feature(options.profile_features[i], "constraints.profile_features[" + std::to_string(i) + "]");
        }

        Solution solve() {
            std::size_t at = 0;
            while (at < order_.size()) {
                const int leaf = order_[at];
                const Node& node = nodes_[std::size_t(leaf)];
                const auto size = members_[std::size_t(leaf)].size();
                if (size > options_.max_size) {
                    at += split(at);
                } else if (node.rule.catch_all && node.parent != 0 && first_of(node.parent) == at) {
                    collapse(node.parent, at);  // all that is left of its rule: the rule is the segment
                } else if (size >= options_.min_size) {
                    ++at;
                } else if (!node.rule.catch_all) {
                    dissolve(at);
                } else {
                    at = small_catch_all(at);
                }
            }
            return finish();
        }

    private:
        /// A segment's users here: `pool_[begin, end)` and those it received from dissolved
        /// segments; and its size, over every shard (`total`), which every decision reads.
        struct Members {
            std::size_t begin = 0, end = 0;
            std::vector<Eigen::Index> received{};
            Eigen::Index total = 0;
            Eigen::Index size() const noexcept { return total; }
        };

        struct Node {
            /// Name, conditions, catch-all and remainder; its `children` stay empty here.
            RuleNode rule{};
            std::vector<int> children{};
            int parent = -1;
            /// Its own and its ancestors' predicates: what first-match assignment tests.
            std::vector<Predicate> conjunction{};
            /// Why it is out of bounds, when it is kept so.
            std::string reason{};
            /// Its conjunction, compiled for the engine (-1 until a dissolve asks for it).
            int compiled = -1;
            /// For a merged catch-all: the segment (node) it joined.
            int merged_into = -1;
        };

        int add(const RuleNode& from, int parent, const std::vector<Predicate>& above, std::vector<std::string>& merged_into) {
            const int id = int(nodes_.size());
            Node node{RuleNode{from.name, from.predicates, from.catch_all, from.remainder, {}, {}}, {}, parent, above, {}, -1, -1};
            node.conjunction.insert(node.conjunction.end(), from.predicates.begin(), from.predicates.end());
            nodes_.push_back(std::move(node));
            merged_into.push_back(from.children.empty() ? from.merged_into : std::string());
            if (parent >= 0 && from.children.empty() && from.merged_into.empty()) order_.push_back(id);
            for (const RuleNode& child : from.children) {
                const int child_id = add(child, id, nodes_[std::size_t(id)].conjunction, merged_into);
                nodes_[std::size_t(id)].children.push_back(child_id);
            }
            return id;
        }

        /// Checks that `feature` exists (a `ConfigError` naming `where` if not) and says
        /// whether it can be missing.
        bool check_feature(const std::string& feature, const std::string& where) const {
            return may_be_missing(FeatureReader<Scalar>(scope_.data(), scope_.as_of(), feature, where).kind());
        }

        /// A scratch array of `n` values, from the scope's workspace when it has one (a
        /// caller's next solve then reuses the memory), else of its own.
        template <class T>
        engine::Workspace::Lease<T> scratch(std::size_t n) const {
            return engine::Workspace::borrow<T>(scope_.workspace(), n);
        }

        /// The universe positions of the users of `leaf`.
        engine::Workspace::Lease<Eigen::Index> positions_of(int leaf) const {
            const Members& m = members_[std::size_t(leaf)];
            auto positions = scratch<Eigen::Index>(m.end - m.begin + m.received.size());
            Eigen::Index* const after_own =
                std::copy(pool_.begin() + std::ptrdiff_t(m.begin), pool_.begin() + std::ptrdiff_t(m.end), positions.data());
            std::copy(m.received.begin(), m.received.end(), after_own);
            return positions;
        }

        /// The dataset rows of universe positions: what the engine's passes read.
        engine::Workspace::Lease<RowIndex> rows_of(const engine::Workspace::Lease<Eigen::Index>& positions) const {
            auto rows = scratch<RowIndex>(positions.size());
            const auto n = Eigen::Index(positions.size());
            const Eigen::Index pieces = detail::thread_count(scope_.threads(), n / 65536);
            detail::for_each_task(pieces, unsigned(pieces), [&](Eigen::Index r) {
                for (Eigen::Index i = n * r / pieces; i < n * (r + 1) / pieces; ++i)
                    rows[std::size_t(i)] = universe_.rows()[positions[std::size_t(i)]];
            });
            return rows;
        }

        void keep(int leaf, Eigen::Index size, std::string reason) {
            nodes_[std::size_t(leaf)].reason = reason;
            log_.push_back({ConstraintEvent::Action::keep, nodes_[std::size_t(leaf)].rule.name, size, std::move(reason), {}, {},
                            parents_of(leaf), position_of(leaf)});
        }

        /// Names of the rules above `node`, outermost first; the root has none.
        std::vector<std::string> parents_of(int node) const {
            std::vector<std::string> names;
            for (int up = nodes_[std::size_t(node)].parent; up >= 0 && nodes_[std::size_t(up)].parent >= 0;
                 up = nodes_[std::size_t(up)].parent)
                names.insert(names.begin(), nodes_[std::size_t(up)].rule.name);
            return names;
        }

        /// Index of `node` among its parent's rules.
        std::size_t position_of(int node) const {
            const int parent = nodes_[std::size_t(node)].parent;
            if (parent < 0) return 0;
            const auto& siblings = nodes_[std::size_t(parent)].children;
            return std::size_t(std::find(siblings.begin(), siblings.end(), node) - siblings.begin());
        }

        /// The position in `order_` of the first segment under `node`.
        std::size_t first_of(int node) const {
            std::size_t first = 0;
            while (first < order_.size() && !under(order_[first], node)) ++first;
            return first;
        }

        /// Whether `node` is `ancestor` or under it.
        bool under(int node, int ancestor) const {
            for (; node >= 0; node = nodes_[std::size_t(node)].parent)
                if (node == ancestor) return true;
            return false;
        }

        /// A catch-all at `order_[at]` below `min_size`, with other segments under its
        /// rule: dropped when empty, merged with the closest segment in profile when one
        /// can take it within bounds; otherwise its rule becomes one segment (then split
        /// if too large), and at the top level it is kept, flagged. Returns where the
        /// solver goes on.
        std::size_t small_catch_all(std::size_t at) {
            const int leaf = order_[at];
            const int parent = nodes_[std::size_t(leaf)].parent;
            const std::size_t first = first_of(parent);
            const auto size = members_[std::size_t(leaf)].size();
            const std::string small = "its catch-all '" + nodes_[std::size_t(leaf)].rule.name + "' (" + std::to_string(size) +
                                      " users) is below min_size " + std::to_string(options_.min_size);
            if (parent != 0 && at == first + 1)  // merging it leaves the rule one segment: let the rule be it
                return collapse(parent, at, small + ", and the rule holds nothing else");
            if (first == at) {  // the final catch-all, with no other segment left
                keep(leaf, size, detail::below_min(size, options_.min_size) + ": the whole universe has " +
                                     std::to_string(scope_.total_size()) + " users");
                return at + 1;
            }
            if (size == 0) {
                drop(at);
                return at;
            }
            std::vector<std::size_t> fit, over;
            for (std::size_t k = first; k < at; ++k) {
                const auto merged = members_[std::size_t(order_[k])].size() + size;
                if (merged >= options_.min_size) (merged <= options_.max_size ? fit : over).push_back(k);
            }
            if (!fit.empty()) {
                merge(at, fit);
                return at;
            }
            if (!over.empty()) {  // merged, the segment is too large: it is split, the catch-all's rule with it
                const std::size_t host = merge(at, over);
                return at + split(host) - 1;
            }
            if (parent != 0) return collapse(parent, at, small + ", and no other segment under the rule can take its users to min_size");
            keep(leaf, size, detail::below_min(size, options_.min_size) + ": no segment can take its users and reach min_size");
            return at + 1;
        }

        /// The catch-all at `order_[at]` joins the closest in profile of the segments at
        /// `candidates` (positions in `order_`, before `at`): its users become theirs, and
        /// its rule a term of theirs. Returns the segment's position.
        std::size_t merge(std::size_t at, const std::vector<std::size_t>& candidates) {
            const int leaf = order_[at];
            const std::vector<double> own = profile_of(leaf);
            std::size_t best = candidates.front();
            double best_distance = std::numeric_limits<double>::infinity();
            for (std::size_t k : candidates) {
                const std::vector<double> other = profile_of(order_[k]);
                double d = 0;
                for (std::size_t f = 0; f < own.size(); ++f)
                    if (!std::isnan(own[f]) && !std::isnan(other[f])) d += (own[f] - other[f]) * (own[f] - other[f]);
                if (d < best_distance) best_distance = d, best = k;
            }
            const int host = order_[best];
            const auto size = members_[std::size_t(leaf)].size();
            join(at, host, {ConstraintEvent::Action::merge, nodes_[std::size_t(leaf)].rule.name, size,
                            detail::below_min(size, options_.min_size) + ": merged with '" + nodes_[std::size_t(host)].rule.name +
                                "', the closest in profile under its rule (distance " + format_number(std::round(std::sqrt(best_distance) * 100) / 100) +
                                ")",
                            {}, {{nodes_[std::size_t(host)].rule.name, size}}, parents_of(leaf), position_of(leaf)});
            return best;
        }

        /// An empty catch-all: no segment. A user it would take on other data joins the
        /// segment before it, which its rule joins as a term (left out when no user can
        /// satisfy it).
        void drop(std::size_t at) {
            const int leaf = order_[at];
            const int host = order_[at - 1];
            join(at, host, {ConstraintEvent::Action::drop, nodes_[std::size_t(leaf)].rule.name, 0,
                            "empty: no user of the universe is left in it; its rule joins '" + nodes_[std::size_t(host)].rule.name + "'",
                            {}, {{nodes_[std::size_t(host)].rule.name, 0}}, parents_of(leaf), position_of(leaf)});
        }

        /// Moves the users of the catch-all at `order_[at]` to `host` and its rule into
        /// the host's; it stays in the tree, for the first-match order, as no segment.
        void join(std::size_t at, int host, ConstraintEvent event) {
            const int leaf = order_[at];
            const auto moving = positions_of(leaf);
            Members& taker = members_[std::size_t(host)];
            taker.total += members_[std::size_t(leaf)].total;
            members_[std::size_t(leaf)] = {};
            taker.received.insert(taker.received.end(), moving.begin(), moving.end());
            nodes_[std::size_t(leaf)].merged_into = host;
            order_.erase(order_.begin() + std::ptrdiff_t(at));
            log_.push_back(std::move(event));
        }

        /// The means of the profile features over the users of `leaf`, each divided by
        /// the feature's standard deviation over the universe (NaN where it has none).
        std::vector<double> profile_of(int leaf) {
            if (spread_.empty())
                for (const auto& feature : options_.profile_features) {
                    const Column<Scalar> values = engine::gather(scope_, engine::all_rows(scope_), feature, "constraints.profile_features");
                    const double sd = detail::mean_and_sd(values.data(), values.size(), scope_.shards()).second;
                    spread_.push_back(sd > 0 ? sd : std::numeric_limits<double>::quiet_NaN());
                }
            const auto rows = rows_of(positions_of(leaf));
            const auto values = scratch<Scalar>(rows.size());
            std::vector<double> out;
            for (std::size_t f = 0; f < options_.profile_features.size(); ++f) {
                engine::gather(scope_, {rows.data(), Eigen::Index(rows.size())}, options_.profile_features[f], values.data(),
                               "constraints.profile_features");
                out.push_back(detail::mean_and_sd(values.data(), Eigen::Index(values.size()), scope_.shards()).first / spread_[f]);
            }
            return out;
        }

        /// Removes the segment at `order_[at]`; each of its users goes to the first later
        /// segment whose conjunction it matches, as if the rule had never been written.
        void dissolve(std::size_t at) {
            const int leaf = order_[at];
            const auto moving = positions_of(leaf);
            const Eigen::Index size = members_[std::size_t(leaf)].size();
            members_[std::size_t(leaf)] = {};
            Node& node = nodes_[std::size_t(leaf)];
            ConstraintEvent event{ConstraintEvent::Action::dissolve, node.rule.name, size, detail::below_min(size, options_.min_size),
                                  {}, {}, parents_of(leaf), position_of(leaf)};
            auto& siblings = nodes_[std::size_t(node.parent)].children;
            siblings.erase(std::find(siblings.begin(), siblings.end(), leaf));
            order_.erase(order_.begin() + std::ptrdiff_t(at));

            std::vector<int> later;
            for (std::size_t k = at; k < order_.size(); ++k) {
                Node& target = nodes_[std::size_t(order_[k])];
                if (target.compiled < 0) target.compiled = compiled_.conjunction(target.conjunction);
                later.push_back(target.compiled);
            }
            const auto rows = rows_of(moving);
            const engine::Matches matches = engine::first_match(scope_, {rows.data(), Eigen::Index(rows.size())}, compiled_, later);
            std::vector<Eigen::Index> unmatched{0};
            for (std::size_t i = 0; i < moving.size(); ++i) {
                const auto k = matches.index[Eigen::Index(i)];
                if (k < 0) ++unmatched[0];
                else members_[std::size_t(order_[at + std::size_t(k)])].received.push_back(moving[i]);
            }
            detail::add_up(scope_.shards(), unmatched);  // every shard throws, or none
            if (unmatched[0] > 0) detail::raise<Error>("constraints: users of '" + event.segment + "' matched no later segment");
            for (std::size_t k = 0; k < later.size(); ++k) {
                members_[std::size_t(order_[at + k])].total += matches.counts[k];
                if (matches.counts[k] > 0) event.users.emplace_back(nodes_[std::size_t(order_[at + k])].rule.name, matches.counts[k]);
            }
            log_.push_back(std::move(event));
        }

        /// The segments under `rule` (from `order_[first_of(rule)]` to `order_[last]`)
        /// become one, the rule itself, its sub-rules gone; returns its position, where
        /// the solver looks at it again.
        std::size_t collapse(int rule, std::size_t last, std::string why = {}) {
            const std::size_t first = first_of(rule);
            const std::string catch_all = nodes_[std::size_t(order_[last])].rule.name;
            Members whole{};
            std::string names;
            for (std::size_t k = first; k <= last; ++k) {
                const int leaf = order_[k];
                const auto users = positions_of(leaf);
                whole.received.insert(whole.received.end(), users.begin(), users.end());
                whole.total += members_[std::size_t(leaf)].total;
                members_[std::size_t(leaf)] = {};
                names += (k == first ? "'" : k == last ? "' and '" : "', '") + nodes_[std::size_t(leaf)].rule.name;
            }
            std::string reason = first == last ? "every sub-rule was dissolved or merged; its catch-all '" + catch_all +
                                                     "' is the whole rule again"
                                               : names + "' are one segment again: " + why;
            members_[std::size_t(rule)] = std::move(whole);
            nodes_[std::size_t(rule)].children.clear();
            order_.erase(order_.begin() + std::ptrdiff_t(first) + 1, order_.begin() + std::ptrdiff_t(last) + 1);
            order_[first] = rule;
            const auto size = members_[std::size_t(rule)].size();
            log_.push_back({ConstraintEvent::Action::collapse, nodes_[std::size_t(rule)].rule.name, size, std::move(reason), {},
                            {{nodes_[std::size_t(rule)].rule.name, size}}, parents_of(rule), position_of(rule)});
            return first;
        }

        /// Where a split cuts: the cut points, each user's part, and the users of each
        /// part over every shard.
        struct Cuts {
            std::vector<double> at{};
            engine::Workspace::Lease<std::int32_t> part{};
            std::vector<Eigen::Index> count{};
        };

        /// Cut points of `values` into `parts` parts at quantiles, moved to the shortest
        /// numbers that split the same users, with each user's part (found once, without a
        /// branch per step); empty unless every part is within bounds.
        Cuts cuts(const engine::Workspace::Lease<Scalar>& values, Eigen::Index parts, std::string& why) const {
            std::vector<double> probabilities;
            for (Eigen::Index j = 1; j < parts; ++j) probabilities.push_back(double(j) / double(parts));
            std::vector<double> at;
            if (const Shards* shards = scope_.shards()) {
                for (const auto& q : shards->quantiles(values.data(), Eigen::Index(values.size()), probabilities)) at.push_back(q.value);
            } else {
                const auto reordered = scratch<Scalar>(values.size());  // the selection reorders its values
                std::copy(values.data(), values.data() + values.size(), reordered.data());
                at = detail::quantiles(reordered.data(), Eigen::Index(reordered.size()), probabilities);
            }
            if (at.empty() || std::isnan(at.front())) {
                why = "no values";
                return {};
            }
            // Each user's part, and each part's users and range, in pieces side by side; the
            // pieces' counts add up and their ranges meet the same on any number of threads.
            const double inf = std::numeric_limits<double>::infinity();
            struct Piece {
                std::vector<Eigen::Index> count;
                std::vector<double> lowest, highest;
                Eigen::Index missing = 0;
            };
            const auto n = std::size_t(values.size());
            const std::size_t pieces = detail::thread_count(scope_.threads(), Eigen::Index(n / 65536));
            const auto part_count = std::size_t(parts);
            std::vector<Piece> piece(pieces, Piece{std::vector<Eigen::Index>(part_count, 0), std::vector<double>(part_count, inf),
                                                   std::vector<double>(part_count, -inf), 0});
            auto part_of = scratch<std::int32_t>(n);
            detail::for_each_task(Eigen::Index(pieces), unsigned(pieces), [&](Eigen::Index r) {
                Piece& mine = piece[std::size_t(r)];
                const std::size_t begin = n * std::size_t(r) / pieces, end = n * std::size_t(r + 1) / pieces;
                const auto place = [&](std::size_t i, std::size_t part) {
                    const double v = double(values[begin + i]);
                    if (std::isnan(v)) {  // a missing value goes to the last part, the split's catch-all
                        part_of[begin + i] = std::int32_t(parts - 1);
                        ++mine.count.back();
                        ++mine.missing;
                        return;
                    }
                    part_of[begin + i] = std::int32_t(part);
                    ++mine.count[part];
                    mine.lowest[part] = std::min(mine.lowest[part], v);
                    mine.highest[part] = std::max(mine.highest[part], v);
                };
                const auto at_or_below = [](double cut, Scalar v) { return cut <= double(v); };
                detail::count_before_each(at.data(), at.size(), values.data() + begin, end - begin, at_or_below, place);
            });
            std::vector<Eigen::Index> count = std::move(piece[0].count);
            std::vector<double> lowest = std::move(piece[0].lowest), highest = std::move(piece[0].highest);
            Eigen::Index missing = piece[0].missing;
            for (std::size_t r = 1; r < pieces; ++r) {
                for (std::size_t p = 0; p < count.size(); ++p) {
                    count[p] += piece[r].count[p];
                    lowest[p] = std::min(lowest[p], piece[r].lowest[p]);
                    highest[p] = std::max(highest[p], piece[r].highest[p]);
                }
                missing += piece[r].missing;
            }
            if (const Shards* shards = scope_.shards()) {  // the parts over every shard
                std::vector<Eigen::Index> counted = count;
                counted.push_back(missing);
                detail::add_up(shards, counted);
                missing = counted.back();
                counted.pop_back();
                count = std::move(counted);
                std::vector<double> ends;
                for (std::size_t p = 0; p < count.size(); ++p) ends.insert(ends.end(), {-lowest[p], highest[p]});
                shards->max(std::span<double>(ends));
                for (std::size_t p = 0; p < count.size(); ++p) lowest[p] = -ends[2 * p], highest[p] = ends[2 * p + 1];
            }
            for (std::size_t p = 0; p < count.size(); ++p) {
                if (count[p] == 0 || lowest[p] == inf || count[p] < options_.min_size || count[p] > options_.max_size) {
                    const auto [smallest, largest] = std::minmax_element(count.begin(), count.end());
                    why = count.size() <= 4 ? "parts of " + sizes_text(count)
                                            : std::to_string(count.size()) + " parts of " + std::to_string(*smallest) +
                                                  " to " + std::to_string(*largest) + " users";
                    if (missing > 0) why += " (" + std::to_string(missing) + " without a value, all in the last part)";
                    else if (lowest[p] == inf || count[p] == 0) why += " (tied values)";
                    return {};
                }
            }
            // Any number in (highest[j], lowest[j + 1]] splits the same users, so the parts stand.
            Cuts result{{}, std::move(part_of), count};
            for (std::size_t j = 0; j + 1 < count.size(); ++j) result.at.push_back(detail::shortest_between(highest[j], lowest[j + 1]));
            return result;
        }

        static std::string sizes_text(const std::vector<Eigen::Index>& sizes) {
            std::string text;
            for (auto s : sizes) {
                if (!text.empty()) text += '/';
                text += std::to_string(s);
            }
            return text;
        }

        std::string unique_name(std::string name) {
            if (names_.insert(name).second) return name;
            for (int n = 2;; ++n)
                if (std::string candidate = name + " #" + std::to_string(n); names_.insert(candidate).second) return candidate;
        }

        /// Splits the segment at `order_[at]`; returns how many segments stand in its place.
        std::size_t split(std::size_t at) {
            const int leaf = order_[at];
            const auto size = members_[std::size_t(leaf)].size();
            const std::string reason = detail::above_max(size, options_.max_size);
            const Eigen::Index parts = (size + options_.max_size - 1) / options_.max_size;
            if (parts > options_.max_split_parts) {
                keep(leaf, size, reason + ": a split would need " + std::to_string(parts) + " parts, more than max_split_parts " +
                                     std::to_string(options_.max_split_parts));
                return 1;
            }
            std::vector<std::string> features;
            for (int node = leaf; node > 0; node = nodes_[std::size_t(node)].parent)
                if (auto chosen = options_.split_by.find(nodes_[std::size_t(node)].rule.name); chosen != options_.split_by.end()) {
                    features.push_back(chosen->second);
                    break;
                }
            for (const auto& f : options_.split_features)
                if (std::find(features.begin(), features.end(), f) == features.end()) features.push_back(f);

            const auto rows = rows_of(positions_of(leaf));
            const engine::Rows selection{rows.data(), Eigen::Index(rows.size())};
            const auto values = scratch<Scalar>(rows.size());
            std::string tried;
            for (const auto& feature : features) {
                engine::gather(scope_, selection, feature, values.data(), "constraints.split_features");
                std::string why;
                if (auto cut = cuts(values, parts, why); !cut.at.empty()) return apply_split(at, feature, cut, reason);
                tried += (tried.empty() ? "" : "; ") + feature + ": " + why;
            }
            // The hash is all but free of ties; a part or two more absorbs the few there are.
            const auto& hashes = values;
            engine::gather(scope_, selection, "user_id_hash", hashes.data(), "constraints");
            const Eigen::Index most = std::min(options_.max_split_parts, options_.min_size > 0 ? size / options_.min_size : size);
            std::string why;
            for (Eigen::Index k = parts; k <= most && k <= parts + 8; ++k)
                if (auto cut = cuts(hashes, k, why); !cut.at.empty())
                    return apply_split(at, "user_id_hash", cut, reason + (tried.empty() ? "" : "; no split by " + tried));
            keep(leaf, size, reason + ": no split into " + std::to_string(parts) + " or more parts keeps every part within [" +
                                 std::to_string(options_.min_size) + ", " + std::to_string(options_.max_size) + "]");
            return 1;
        }

        /// New nodes under `leaf`, one per part of a split at `cut` of `feature`.
        std::vector<int> make_parts(int leaf, const std::string& feature, const std::vector<double>& cut) {
            const std::string base = nodes_[std::size_t(leaf)].rule.name;
            const std::size_t parts = cut.size() + 1;
            std::vector<int> ids;
            for (std::size_t p = 0; p < parts; ++p) {
                Node part;
                part.parent = leaf;
                part.conjunction = nodes_[std::size_t(leaf)].conjunction;
                const std::string low = p > 0 ? format_number(cut[p - 1]) : std::string();
                if (p + 1 < parts) {
                    if (p > 0) part.rule.predicates.push_back({feature, Op::greater_equal, cut[p - 1], {}});
                    part.rule.predicates.push_back({feature, Op::less, cut[p], {}});
                    part.rule.name = base + " / " + (p > 0 ? low + " <= " : std::string()) + feature + " < " + format_number(cut[p]);
                } else {
                    part.rule.catch_all = true;
                    const Predicate at_least{feature, Op::greater_equal, cut[p - 1], {}};
                    const bool may_be_missing = check_feature(feature, feature);
                    part.rule.remainder = may_be_missing ? Expr::negate(Expr::of({feature, Op::less, cut[p - 1], {}}))
                                                         : Expr::of(at_least);
                    // The name says what the rule says: the users without a value are in this part.
                    part.rule.name = base + " / " + feature + " >= " + low + (may_be_missing ? " or missing" : "");
                }
                part.rule.name = unique_name(part.rule.name);
                part.conjunction.insert(part.conjunction.end(), part.rule.predicates.begin(), part.rule.predicates.end());
                ids.push_back(int(nodes_.size()));
                nodes_.push_back(std::move(part));
                members_.emplace_back();
            }
            nodes_[std::size_t(leaf)].children = ids;
            return ids;
        }

        std::size_t apply_split(std::size_t at, const std::string& feature, const Cuts& cuts, const std::string& reason) {
            const int leaf = order_[at];
            const std::string base = nodes_[std::size_t(leaf)].rule.name;
            const std::size_t parts = cuts.at.size() + 1;
            const std::vector<int> ids = make_parts(leaf, feature, cuts.at);
            // A catch-all merged into the segment is split at the same cuts, each of its
            // parts joining the segment's part: the first-match order stays the same.
            for (std::size_t g = 0, n = nodes_.size(); g < n; ++g)
                if (nodes_[g].merged_into == leaf && nodes_[g].children.empty()) {
                    const std::vector<int> guest = make_parts(int(g), feature, cuts.at);
                    for (std::size_t p = 0; p < parts; ++p) nodes_[std::size_t(guest[p])].merged_into = ids[p];
                }
            // The parts' spans, in part order, take the place of the segment's span (or a new
            // place at the pool's end when the segment has received users beyond it).
            const auto moving = positions_of(leaf);
            const Eigen::Index size = members_[std::size_t(leaf)].size();
            const auto& part_of = cuts.part;
            std::vector<std::size_t> next(parts + 1, 0);
            for (std::size_t i = 0; i < moving.size(); ++i) ++next[std::size_t(part_of[i]) + 1];
            Members& whole = members_[std::size_t(leaf)];
            std::size_t base_at = whole.begin;
            if (!whole.received.empty()) {
                base_at = pool_.size();
                pool_.resize(pool_.size() + moving.size());
            }
            whole = {};
            for (std::size_t p = 0; p < parts; ++p) {
                next[p + 1] += next[p];
                members_[std::size_t(ids[p])] = {base_at + next[p], base_at + next[p + 1], {}, cuts.count[p]};
            }
            for (std::size_t i = 0; i < moving.size(); ++i) pool_[base_at + next[std::size_t(part_of[i])]++] = moving[i];
            ConstraintEvent event{ConstraintEvent::Action::split, base, size, reason, feature, {}, parents_of(leaf), position_of(leaf)};
            for (int id : ids) event.users.emplace_back(nodes_[std::size_t(id)].rule.name, members_[std::size_t(id)].size());
            log_.push_back(std::move(event));
            order_.erase(order_.begin() + std::ptrdiff_t(at));
            order_.insert(order_.begin() + std::ptrdiff_t(at), ids.begin(), ids.end());
            return parts;
        }

        RuleNode build(int id) const {
            const Node& node = nodes_[std::size_t(id)];
            RuleNode out = node.rule;
            if (node.merged_into >= 0 && node.children.empty()) out.merged_into = nodes_[std::size_t(node.merged_into)].rule.name;
            for (int child : node.children) out.children.push_back(build(child));
            return out;
        }

        Solution finish() {
            Solution solution{ResolvedRules(build(0), rules_.thresholds()), {}, {}, std::move(log_), options_};
            const auto& segments = solution.rules.segments();
            if (segments.size() != order_.size()) detail::raise<Error>("constraints: the solved tree lost a segment");
            Assignment& assignment = solution.assignment;
            assignment.segment_ids.resize(universe_.size());
            for (std::size_t s = 0; s < order_.size(); ++s) {
                const Members& m = members_[std::size_t(order_[s])];
                for (std::size_t i = m.begin; i < m.end; ++i) assignment.segment_ids[pool_[i]] = std::int32_t(s + 1);
                for (auto i : m.received) assignment.segment_ids[i] = std::int32_t(s + 1);
                assignment.sizes.push_back(m.size());
                const Node& node = nodes_[std::size_t(order_[s])];
                const auto n = m.size();
                const bool valid = n >= options_.min_size && n <= options_.max_size;
                solution.status.push_back(
                    {valid, valid ? std::string()
                                  : !node.reason.empty()     ? node.reason
                                  : n < options_.min_size    ? detail::below_min(n, options_.min_size)
                                                             : detail::above_max(n, options_.max_size)});
            }
            return solution;
        }

        const ConstraintOptions& options_;
        const ResolvedRules& rules_;
        const Scope<Scalar>& scope_;
        const Universe& universe_;
        std::vector<Node> nodes_;
        /// The segments (leaf nodes) in rule order: segment id - 1 -> node.
        std::vector<int> order_;
        /// Universe positions, every segment's a span of it; `members_` per node.
        std::vector<Eigen::Index> pool_;
        std::vector<Members> members_;
        /// The conjunctions a dissolve tests, compiled once each.
        engine::CompiledRules compiled_;
        /// Each profile feature's standard deviation over the universe, once a merge asks.
        std::vector<double> spread_;
        std::set<std::string, std::less<>> names_;
        std::vector<ConstraintEvent> log_;
    };

    ConstraintOptions options_;
};

}  // namespace mece
