#pragma once
/// \file rule_tree/definition.hpp
/// A resolved rule tree (`RuleNode`) and the exact definition of each of its segments
/// (`SegmentDefinition`): what `ResolvedRules` builds once and every output prints.
/// A definition names what its users are in few terms: a rule's own conditions, those
/// of the rules above it, and "not matched by an earlier rule" only where the conditions
/// do not already exclude that rule; a negated comparison on a feature that is never
/// missing reads as the opposite comparison.

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <mece/engine/compiled_rules.hpp>
#include <mece/error.hpp>
#include <mece/rule_tree/expression.hpp>
#include <mece/rule_tree/feature.hpp>
#include <mece/rule_tree/predicate.hpp>

namespace mece {

/// A rule of a resolved tree: its own conditions with every threshold a number.
///
/// A node with children is split further: its users go to the first child they match,
/// and its last child is always a catch-all (no conditions of its own) that takes the
/// rest. A node without children is a segment. The root is a node without conditions
/// whose children are the top-level rules and the final catch-all.
struct RuleNode {
    std::string name{};
    /// The node's own conditions; empty for a catch-all.
    std::vector<Predicate> predicates{};
    bool catch_all = false;
    /// For a catch-all made by a split: the users it takes, given its parent, in one
    /// term (`avg_order_value >= 1523.5` rather than "not any earlier part").
    std::optional<Expr> remainder{};
    /// Sub-rules in order, the last a catch-all; empty for a segment.
    std::vector<RuleNode> children{};
    /// For a catch-all the constraint solver merged (too small to stand alone): the
    /// name of the earlier segment under the same rule that its users join. It is then no
    /// segment: the segment it names holds its users and its rule, as a disjunction.
    std::string merged_into{};

    friend bool operator==(const RuleNode&, const RuleNode&) = default;
};

/// One segment of a resolved tree: a leaf rule or a catch-all.
struct SegmentDefinition {
    /// Position in the tree, from 1: the id in assignments.
    int id = 0;
    std::string name{};
    /// Names of the rules above it, outermost first.
    std::vector<std::string> parents{};
    bool catch_all = false;
    /// The full effective definition, "not matched by an earlier rule" included.
    Expr rule = Expr::always();
    /// The conditions of the rule and of the rules above it; first-match order over
    /// the tree's conjunctions (`ResolvedRules::slots`) is the assignment.
    std::vector<Predicate> conjunction{};
    /// The catch-alls merged into it, in tree order; their definitions are terms of `rule`.
    std::vector<std::string> merged{};

    /// The exact "Rules Applied" text.
    std::string rules_applied() const { return rule.text(); }
};

/// A leaf of a resolved tree in first-match order: its conjunction and the segment that
/// holds its users (itself, or the segment a merged catch-all joined).
struct Slot {
    std::vector<Predicate> conjunction{};
    int segment = 0;
};

/// The segments of a tree and its leaves in first-match order.
struct Definitions {
    std::vector<SegmentDefinition> segments{};
    std::vector<Slot> slots{};
};

namespace detail {

/// Whether a feature called `name` can be missing for a user: an extra column can, and
/// `days_since_last_order`; the measures and the other recencies never are.
inline bool may_be_missing(const std::string& name) {
    const auto kind = builtin_feature(name);
    return !kind || may_be_missing(*kind);
}

/// `not (x >= t)` as one comparison, `x < t`, where that selects the same users: `x`
/// is never missing and `t` is a number (a comparison with an unknown threshold holds
/// for no one, its negation for everyone). Otherwise the negation as it is.
inline Expr negation_of(const std::vector<Predicate>& conjunction) {
    if (conjunction.size() == 1) {
        Predicate p = conjunction.front();
        if (!std::isnan(p.value) && !may_be_missing(p.feature) && p.op != Op::equal && p.op != Op::between) {
            p.op = p.op == Op::less ? Op::greater_equal : p.op == Op::less_equal ? Op::greater
                 : p.op == Op::greater ? Op::less_equal : Op::less;
            return Expr::of(std::move(p));
        }
    }
    return Expr::negate(Expr::all_of(conjunction));
}

/// Whether `e` holds for a user whose `feature` is `value` (NaN: missing), when it reads
/// no other feature; `std::nullopt` when it does.
inline std::optional<bool> holds_at(const Expr& e, const std::string& feature, double value) {
    switch (e.kind()) {
        case Expr::Kind::always: return true;
        case Expr::Kind::predicate: {
            const Predicate& p = e.predicate();
            if (p.feature != feature || p.op == Op::between) return std::nullopt;
            return engine::holds(p.op, value, p.value);
        }
        case Expr::Kind::negation: {
            const auto inner = holds_at(e.children().front(), feature, value);
            return inner ? std::optional<bool>(!*inner) : std::nullopt;
        }
        case Expr::Kind::all:
        case Expr::Kind::any: {
            const bool all = e.kind() == Expr::Kind::all;
            bool result = all;
            for (const Expr& c : e.children()) {
                const auto v = holds_at(c, feature, value);
                if (!v) return std::nullopt;
                result = all ? result && *v : result || *v;
            }
            return result;
        }
    }
    return std::nullopt;
}

/// The features an expression reads.
inline void features_of(const Expr& e, std::vector<std::string>& out) {
    if (e.kind() == Expr::Kind::predicate) {
        if (std::find(out.begin(), out.end(), e.predicate().feature) == out.end()) out.push_back(e.predicate().feature);
        return;
    }
    for (const Expr& c : e.children()) features_of(c, out);
}

/// The thresholds an expression compares `feature` with.
inline void values_of(const Expr& e, const std::string& feature, std::vector<double>& out) {
    if (e.kind() == Expr::Kind::predicate) {
        if (e.predicate().feature == feature) out.push_back(e.predicate().value);
        return;
    }
    for (const Expr& c : e.children()) values_of(c, feature, out);
}

/// True when no user can satisfy every one of `terms`: for some feature, the terms that
/// read only that feature hold together at no value (nor, for a feature that can be
/// missing, at a missing one). Each such term changes truth only at its thresholds, so
/// the thresholds, one value inside each gap between them and one beyond each end stand
/// for every value. It may answer false when unsure, never true when wrong.
inline bool provably_empty(const std::vector<Expr>& terms) {
    std::vector<std::string> features;
    for (const Expr& t : terms) features_of(t, features);
    for (const std::string& feature : features) {
        std::vector<const Expr*> own;
        std::vector<double> cuts;
        for (const Expr& t : terms) {
            std::vector<std::string> read;
            features_of(t, read);
            if (read.size() != 1 || read.front() != feature) continue;
            own.push_back(&t);
            values_of(t, feature, cuts);
        }
        if (own.empty()) continue;
        std::sort(cuts.begin(), cuts.end());
        const double inf = std::numeric_limits<double>::infinity();
        std::vector<double> points{-inf, inf};
        if (may_be_missing(feature)) points.push_back(std::numeric_limits<double>::quiet_NaN());
        for (std::size_t i = 0; i < cuts.size(); ++i) {
            if (std::isnan(cuts[i])) continue;
            points.push_back(cuts[i]);
            if (i + 1 < cuts.size() && !std::isnan(cuts[i + 1])) {
                const double middle = cuts[i] + (cuts[i + 1] - cuts[i]) / 2;
                if (middle > cuts[i] && middle < cuts[i + 1]) points.push_back(middle);
            }
        }
        bool satisfiable = false;
        for (double x : points) {
            bool all = true;
            for (const Expr* t : own) {
                const auto v = holds_at(*t, feature, x);
                if (!v || !*v) {
                    all = bool(!v);  // a term it cannot judge proves nothing
                    if (!all) break;
                }
            }
            if (all) {
                satisfiable = true;
                break;
            }
        }
        if (!satisfiable) return true;
    }
    return false;
}

/// True when no value can satisfy both conjunctions: some feature's bounds from the two
/// do not intersect. Used only to leave out "and not (...)" terms that cannot change
/// the result, so it may answer false when unsure but never true when wrong.
inline bool provably_disjoint(const std::vector<Predicate>& a, const std::vector<Predicate>& b) {
    for (std::size_t first = 0; first < a.size(); ++first) {
        // Each feature of `a` once, at its first predicate (no set: this runs for every
        // pair of siblings, and the lists are short).
        const std::string& name = a[first].feature;
        bool seen = false;
        for (std::size_t k = 0; k < first && !seen; ++k) seen = a[k].feature == name;
        if (seen) continue;
        double low = -std::numeric_limits<double>::infinity(), high = std::numeric_limits<double>::infinity();
        bool low_open = false, high_open = false;
        bool comparable = true;
        const auto tighten = [&](const Predicate& p) {
            if (p.feature != name) return;
            if (std::isnan(p.value)) comparable = false;
            const auto raise_low = [&](double v, bool open) {
                if (v > low || (v == low && open)) low = v, low_open = open;
            };
            const auto lower_high = [&](double v, bool open) {
                if (v < high || (v == high && open)) high = v, high_open = open;
            };
            switch (p.op) {
                case Op::less: lower_high(p.value, true); break;
                case Op::less_equal: lower_high(p.value, false); break;
                case Op::greater: raise_low(p.value, true); break;
                case Op::greater_equal: raise_low(p.value, false); break;
                case Op::equal:
                    raise_low(p.value, false);
                    lower_high(p.value, false);
                    break;
                case Op::between: comparable = false; break;
            }
        };
        for (const auto& p : a) tighten(p);
        for (const auto& p : b) tighten(p);
        if (comparable && (low > high || (low == high && (low_open || high_open)))) return true;
    }
    return false;
}


/// Whether `a` implies `b`: both bound the same feature from the same side and `a` is
/// at least as tight (`x >= 2166` implies `x >= 500`). A missing value fails both.
inline bool implies(const Predicate& a, const Predicate& b) {
    if (a.feature != b.feature || std::isnan(a.value) || std::isnan(b.value)) return false;
    const auto lower = [](Op op) { return op == Op::greater || op == Op::greater_equal; };
    const auto upper = [](Op op) { return op == Op::less || op == Op::less_equal; };
    if (lower(a.op) && lower(b.op))
        return a.value > b.value || (a.value == b.value && (b.op == Op::greater_equal || a.op == Op::greater));
    if (upper(a.op) && upper(b.op))
        return a.value < b.value || (a.value == b.value && (b.op == Op::less_equal || a.op == Op::less));
    return false;
}

/// Leaves out the predicate terms of a conjunction that another term implies (the
/// parent's `x >= 500` under a split part's `x >= 2166`); the tighter term takes the
/// place of the first one it implies, so a lower and an upper bound stay side by side
/// and read as a range. The conjunction selects the same users.
inline void drop_implied(std::vector<Expr>& terms) {
    const auto is_predicate = [](const Expr& e) { return e.kind() == Expr::Kind::predicate; };
    std::vector<bool> dropped(terms.size(), false);
    for (std::size_t i = 0; i < terms.size(); ++i) {
        for (bool changed = true; changed && !dropped[i] && is_predicate(terms[i]);) {
            changed = false;
            for (std::size_t j = 0; j < terms.size() && !dropped[i]; ++j) {
                if (i == j || dropped[j] || !is_predicate(terms[j])) continue;
                const Predicate& p = terms[i].predicate();
                const Predicate& q = terms[j].predicate();
                if (!implies(q, p) || (implies(p, q) && i < j)) continue;
                if (j < i) {
                    dropped[i] = true;
                } else {
                    terms[i] = std::move(terms[j]);
                    dropped[j] = true;
                    changed = true;
                }
            }
        }
    }
    std::vector<Expr> kept;
    for (std::size_t i = 0; i < terms.size(); ++i)
        if (!dropped[i]) kept.push_back(std::move(terms[i]));
    terms = std::move(kept);
}

/// Shortens each "not (a and b)" term of a conjunction by the conditions the other terms
/// already guarantee: where a comparison term implies `b`, `not (a and b)` selects what
/// `not (a)` does (a user failing `b` fails the comparison term too), and a single
/// comparison left reads as its opposite where it can (`negation_of`).
inline void drop_guaranteed(std::vector<Expr>& terms) {
    for (bool changed = true; changed;) {
        changed = false;
        for (Expr& term : terms) {
            if (term.kind() != Expr::Kind::negation) continue;
            const Expr& inner = term.children().front();
            std::vector<Predicate> conditions;
            if (inner.kind() == Expr::Kind::predicate) conditions.push_back(inner.predicate());
            else if (inner.kind() == Expr::Kind::all)
                for (const Expr& c : inner.children()) {
                    if (c.kind() != Expr::Kind::predicate) break;
                    conditions.push_back(c.predicate());
                }
            if (conditions.empty() || (inner.kind() == Expr::Kind::all && conditions.size() != inner.children().size())) continue;
            std::vector<Predicate> kept;
            for (const Predicate& q : conditions) {
                bool guaranteed = false;
                for (const Expr& other : terms)
                    guaranteed = guaranteed || (other.kind() == Expr::Kind::predicate && implies(other.predicate(), q));
                if (!guaranteed) kept.push_back(q);
            }
            // All guaranteed: the term holds for no one, which the caller's proof of
            // emptiness sees as it is. None: only a single comparison may still read as
            // its opposite. Each change drops a condition or a negation, so this ends.
            if (kept.empty()) continue;
            Expr shorter = negation_of(kept);
            if (kept.size() == conditions.size() && shorter.kind() != Expr::Kind::predicate) continue;
            term = std::move(shorter);
            changed = true;
        }
    }
}

/// The segments of the tree under `root`, in order, each with its exact definition, and
/// its leaves in first-match order.
///
/// A segment's definition is its own conditions and those of the rules above it, and
/// "not matched by an earlier sibling" for every earlier sibling at every level, left
/// out only where the conditions provably exclude that sibling. A merged catch-all's
/// definition joins that of the segment it was merged into, `any(segment, catch-all)`,
/// unless no user can satisfy it.
inline Definitions flatten(const RuleNode& root) {
    Definitions out;
    // Each segment's definition, and those of the catch-alls merged into it.
    std::vector<std::vector<Expr>> alternatives;
    // `positive` is the conjunction of the rules above; `terms` the definition so far.
    const auto walk = [&](const auto& self, const RuleNode& node, const std::vector<std::string>& parents,
                          const std::vector<Predicate>& positive, const std::vector<Expr>& terms) -> void {
        std::vector<const std::vector<Predicate>*> earlier;
        for (const RuleNode& child : node.children) {
            std::vector<Predicate> conjunction = positive;
            conjunction.insert(conjunction.end(), child.predicates.begin(), child.predicates.end());
            std::vector<Expr> definition = terms;
            for (const auto& p : child.predicates) definition.push_back(Expr::of(p));
            if (child.catch_all && child.remainder) {
                definition.push_back(*child.remainder);
            } else {
                for (const auto* sibling : earlier)
                    if (!provably_disjoint(conjunction, *sibling)) definition.push_back(negation_of(*sibling));
            }
            drop_guaranteed(definition);
            drop_implied(definition);
            earlier.push_back(&child.predicates);
            if (!child.children.empty()) {
                std::vector<std::string> path = parents;
                path.push_back(child.name);
                self(self, child, path, conjunction, definition);
                continue;
            }
            const bool empty = provably_empty(definition);
            Expr rule = definition.size() == 1 ? std::move(definition.front())
                        : definition.empty()   ? Expr::always()
                                               : Expr::all(std::move(definition));
            if (child.merged_into.empty()) {
                out.segments.push_back({int(out.segments.size()) + 1, child.name, parents, child.catch_all, Expr::always(),
                                        conjunction, {}});
                alternatives.push_back({std::move(rule)});
                out.slots.push_back({std::move(conjunction), int(out.segments.size())});
                continue;
            }
            auto host = std::find_if(out.segments.rbegin(), out.segments.rend(),
                                     [&](const SegmentDefinition& s) { return s.name == child.merged_into; });
            if (host == out.segments.rend())
                raise<Error>("rules: '" + child.name + "' is merged into '" + child.merged_into +
                             "', which is no earlier segment");
            host->merged.push_back(child.name);
            if (!empty) alternatives[std::size_t(host->id - 1)].push_back(std::move(rule));
            out.slots.push_back({std::move(conjunction), host->id});
        }
    };
    walk(walk, root, {}, {}, {});
    for (std::size_t s = 0; s < out.segments.size(); ++s)
        out.segments[s].rule = alternatives[s].size() == 1 ? std::move(alternatives[s].front()) : Expr::any(std::move(alternatives[s]));
    return out;
}

}  // namespace detail

}  // namespace mece
