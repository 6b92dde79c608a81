#pragma once
/// \file strategy_writer.hpp
/// `StrategyWriter`: writes a run's results: `strategy.csv`, `strategy.json` and
/// `strategy.md` (the ranked segments, their exact rules, scores, tiers, validity and
/// actions, with the run's thresholds, checks and constraint log) and `assignments.csv`
/// (one row per universe user, what a CRM imports). Every file is written to a temporary name and renamed into place, so
/// a crash never leaves half a file where a whole one was; with an `OutputBatch`
/// (`mece/io/output.hpp`) the files appear together, or not at all.

#include <charconv>
#include <cstdio>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include <mece/constraint_solver.hpp>
#include <mece/dataset.hpp>
#include <mece/detail/compiled.hpp>
#include <mece/detail/parallel.hpp>
#include <mece/error.hpp>
#include <mece/holdout.hpp>
#include <mece/io/output.hpp>
#include <mece/io/json.hpp>
#include <mece/io/text.hpp>
#include <mece/ranked.hpp>
#include <mece/rule_tree.hpp>
#include <mece/run.hpp>
#include <mece/scorer.hpp>
#include <mece/segment_stats.hpp>
#include <mece/strategy.hpp>
#include <mece/universe.hpp>
#include <mece/validation.hpp>
#include <mece/version.hpp>

namespace mece {


/// Writes a run's output files into one directory: `strategy.csv`, `strategy.json` and
/// `strategy.md` (one row per segment, by rank) and `assignments.csv` (one row per user).
///
/// \code
/// mece::StrategyWriter writer{"mece-out"};
/// writer.write({solution, scores, stats, check, universe, {.input = "carts.csv"}});
/// writer.write_assignments(data, universe, solution.rules, solution.assignment);
/// \endcode
class StrategyWriter {
public:
    /// Creates `directory` if needed. With `batch`, files are staged in it and appear
    /// when it commits; without, each file appears (atomically) as it is written.
    explicit StrategyWriter(std::filesystem::path directory, OutputBatch* batch = nullptr)
        : directory_(std::move(directory)), batch_(batch) {
        if (batch_ && batch_->directory().lexically_normal() != directory_.lexically_normal())
            detail::raise<Error>(directory_.string() + ": not the directory of the output batch, " + batch_->directory().string());
        detail::create_output_directory(directory_);
    }
    /// Stages every file in `batch`, in its directory.
    explicit StrategyWriter(OutputBatch& batch) : StrategyWriter(batch.directory(), &batch) {}

    const std::filesystem::path& directory() const noexcept { return directory_; }

    /// The strategy as JSON (schema in `docs/strategy-json.md`).
    static nlohmann::ordered_json strategy_json(const Strategy& s);

    /// Writes `strategy.csv`, `strategy.json` and `strategy.md`.
    void write(const Strategy& s) const;

    /// Writes `strategy.json`.
    void write_strategy_json(const Strategy& s) const;

    /// `strategy.csv`'s text: `rank,id,name,parents,rules_applied,size,share`, one column
    /// per dimension, `overall_score,tier,valid,invalid_reason,action`; one row per
    /// segment, by rank. Numbers in shortest round-trip form.
    static std::string strategy_csv(const Strategy& s);

    /// Writes `strategy.csv` (see `strategy_csv`).
    void write_strategy_csv(const Strategy& s) const;

    /// Writes `strategy.md`: the ranked table, each segment's rule, the scoring, the MECE
    /// checks and the constraint log, for people.
    void write_strategy_md(const Strategy& s) const;

    /// Writes `assignments.csv`: `user_id,segment_id,segment_name`, one row per universe
    /// user, in universe order.
    /// Returns the rows written, one per universe user.
    template <class Scalar>
    std::size_t write_assignments(const Dataset<Scalar>& data, const Universe& universe, const ResolvedRules& rules,
                                  const Assignment& assignment) const {
        return write_assignments(Scope<Scalar>(data, universe), rules, assignment);
    }
    /// The assignment of a run, with each user's group when it has a holdout.
    template <class Scalar>
    std::size_t write_assignments(const RunResult<Scalar>& result) const {
        const auto& holdout = result.strategy.holdout;
        return write_assignments(result.scope(), result.strategy.solution.rules, result.strategy.solution.assignment,
                                 holdout ? std::optional<Holdout>(std::in_place, holdout->options) : std::nullopt);
    }
    /// With `holdout`, a fourth column `group`: `treatment`, `control` or `global_control`.
    template <class Scalar>
    std::size_t write_assignments(const Scope<Scalar>& scope, const ResolvedRules& rules, const Assignment& assignment,
                                  const std::optional<Holdout>& holdout = std::nullopt) const;

private:
    /// The segment means `strategy.json` reports under `profile`.
    static constexpr const char* profile_features[] = {"avg_order_value",     "engagement_score",   "profitability_score",
                                                       "sessions_last_30d",   "num_cart_items",     "days_since_abandon",
                                                       "aov_percentile_rank"};

    /// A segment's blend of estimated and measured lift.
    static nlohmann::ordered_json lift_json(const LiftBlend& b) {
        nlohmann::ordered_json j{{"source", std::string(to_string(b.source))}, {"weight", b.weight}, {"lift_used", b.lift_used},
                                 {"estimate", b.estimate}};
        if (b.measured) {
            const MeasuredLift& m = *b.measured;
            const auto number = [](double v) { return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(); };
            j["measured"] = {{"segment", b.measured_as},
                             {"n_treatment", m.n_treatment},
                             {"n_control", m.n_control},
                             {"conversions_treatment", m.conversions_treatment},
                             {"conversions_control", m.conversions_control},
                             {"lift_abs", number(m.lift_abs)},
                             {"lift_abs_ci", nlohmann::ordered_json::array({number(m.ci_low), number(m.ci_high)})},
                             {"standard_error", number(m.standard_error())},
                             {"q_value", number(m.q_value)},
                             {"srm", m.srm}};
            if (!b.ignored.empty()) j["ignored"] = b.ignored;
        } else {
            j["measured"] = nullptr;
        }
        return j;
    }

    /// The holdout's options and totals; null without one.
    static nlohmann::ordered_json holdout_json(const Strategy& s) {
        if (!s.holdout) return nullptr;
        const HoldoutOptions& h = s.holdout->options;
        const GroupCounts total = s.holdout->total();
        return {{"share", h.share},
                {"salt", h.salt},
                {"global_share", h.global_share},
                {"global_salt", h.global_salt},
                {"baseline_rate", h.baseline_rate},
                {"hash", std::string(holdout_hash_name)},
                {"n_treatment", total.treatment},
                {"n_control", total.control},
                {"n_global_control", total.global_control}};
    }

    /// The top-level rules and, row by row, the users matching each pair of them.
    static nlohmann::ordered_json overlap_json(const RuleOverlap& o) {
        nlohmann::ordered_json counts = nlohmann::ordered_json::array();
        for (std::size_t i = 0; i < o.rules.size(); ++i) {
            nlohmann::ordered_json row = nlohmann::ordered_json::array();
            for (std::size_t j = 0; j < o.rules.size(); ++j) row.push_back(o.at(i, j));
            counts.push_back(std::move(row));
        }
        return {{"rules", o.rules}, {"counts", std::move(counts)}};
    }

    static nlohmann::ordered_json tiers(const std::vector<Tier>& list) {
        nlohmann::ordered_json out = nlohmann::ordered_json::array();
        for (const Tier& t : list) out.push_back({{"name", t.name}, {"min_score", t.min_score}, {"action", t.action}});
        return out;
    }

    std::filesystem::path directory_;
    OutputBatch* batch_ = nullptr;
};

namespace detail {

/// The lines of `assignments.csv` for the users of a scope: `user_id,segment_id,segment_name`
/// and, with a holdout, `group`. One formatter for every writer of the file.
template <class Scalar>
class AssignmentLines {
public:
    AssignmentLines(const Scope<Scalar>& scope, const ResolvedRules& rules, const Assignment& assignment,
                    const std::optional<Holdout>& holdout)
        : scope_(scope), assignment_(assignment), holdout_(holdout) {
        if (assignment.segment_ids.size() != scope.size())
            raise<Error>("assignments: the assignment has " + std::to_string(assignment.segment_ids.size()) +
                         " users, the universe " + std::to_string(scope.size()));
        for (const SegmentDefinition& s : rules.segments()) suffix_.push_back("," + std::to_string(s.id) + "," + csv_cell(s.name));
    }
    std::string header() const { return holdout_ ? "user_id,segment_id,segment_name,group\n" : "user_id,segment_id,segment_name\n"; }
    /// The lines of the scope's users `[first, last)`, in place of `buffer`'s text.
    void format(Eigen::Index first, Eigen::Index last, std::string& buffer) const {
        buffer.clear();
        append(first, last, buffer);
    }
    void append(Eigen::Index first, Eigen::Index last, std::string& buffer) const {
        const auto ids = scope_.data().user_id();
        const Universe& universe = scope_.universe();
        for (Eigen::Index i = first; i < last; ++i) {
            const std::int64_t id = ids[universe.rows()[i]];
            char digits[24];
            buffer.append(digits, std::to_chars(digits, digits + sizeof digits, id).ptr);
            buffer += suffix_.at(std::size_t(assignment_.segment_ids[i] - 1));
            if (holdout_) {
                buffer += ',';
                buffer += to_string(holdout_->group(id));
            }
            buffer += '\n';
        }
    }

private:
    const Scope<Scalar>& scope_;
    const Assignment& assignment_;
    std::optional<Holdout> holdout_;
    std::vector<std::string> suffix_;  // ",id,name" per segment
};

}  // namespace detail

template <class Scalar>
std::size_t StrategyWriter::write_assignments(const Scope<Scalar>& scope, const ResolvedRules& rules, const Assignment& assignment,
                                              const std::optional<Holdout>& holdout) const {
    const Universe& universe = scope.universe();
    const detail::AssignmentLines<Scalar> lines(scope, rules, assignment, holdout);
    // Blocks of users formatted side by side on the scope's threads, a round at a time,
    // each round written in order by a thread of its own while the next one is formatted:
    // two rounds' text at most in memory, never the file's.
    constexpr Eigen::Index block_rows = 32768;
    const unsigned threads = scope.threads();
    const Eigen::Index round_blocks = 2 * Eigen::Index(threads);
    std::vector<std::string> texts[2];
    for (auto& round : texts) round.resize(static_cast<std::size_t>(round_blocks));
    const auto format = [&](Eigen::Index first, Eigen::Index last, std::string& buffer) { lines.format(first, last, buffer); };
    std::size_t rows = 0;
    detail::emit(batch_, directory_ / "assignments.csv", [&](std::ostream& out) {
        out << lines.header();
        std::thread writer;
        const auto finish_writing = [&] {
            if (writer.joinable()) writer.join();
        };
        try {
            for (Eigen::Index start = 0, round = 0; start < universe.size(); start += round_blocks * block_rows, ++round) {
                std::vector<std::string>& text = texts[round % 2];
                const Eigen::Index blocks = std::min(round_blocks, (universe.size() - start + block_rows - 1) / block_rows);
                detail::for_each_task(blocks, threads, [&](Eigen::Index b) {
                    const Eigen::Index first = start + b * block_rows;
                    format(first, std::min(universe.size(), first + block_rows), text[std::size_t(b)]);
                });
                finish_writing();  // the round before, whose buffers the next round reuses
                writer = std::thread([&out, &text, blocks] {
                    for (Eigen::Index b = 0; b < blocks; ++b) out.write(text[std::size_t(b)].data(), std::streamsize(text[std::size_t(b)].size()));
                });
                rows += std::size_t(std::min(universe.size() - start, blocks * block_rows));
            }
        } catch (...) {
            finish_writing();
            throw;
        }
        finish_writing();
    });
    return rows;
}

#if MECE_HEADER_DEFINITIONS

MECE_INLINE nlohmann::ordered_json StrategyWriter::strategy_json(const Strategy& s) {
    const RankedSegments rows(s);
    const auto& scores = s.scores;
    nlohmann::ordered_json weights = nlohmann::ordered_json::object(), dimensions = nlohmann::ordered_json::array();
    for (std::size_t k = 0; k < scores.dimensions.size(); ++k) {
        weights[scores.dimensions[k]] = scores.weights[k];
        dimensions.push_back({{"name", scores.dimensions[k]},
                              {"weight", scores.weights[k]},
                              {"estimated", bool(scores.estimated[k])},
                              {"description", scores.descriptions[k]}});
    }
    nlohmann::ordered_json log = nlohmann::ordered_json::array();
    for (const ConstraintEvent& e : s.solution.log) {
        nlohmann::ordered_json entry{{"action", std::string(to_string(e.action))}, {"segment", e.segment},
                                     {"size", e.size}, {"reason", e.reason}};
        if (!e.parents.empty()) entry["parents"] = e.parents;
        entry["position"] = e.position;
        if (!e.feature.empty()) entry["feature"] = e.feature;
        nlohmann::ordered_json users = nlohmann::ordered_json::array();
        for (const auto& [name, count] : e.users) users.push_back({{"segment", name}, {"users", count}});
        entry[e.action == ConstraintEvent::Action::split ? "parts" : "moved_to"] = std::move(users);
        log.push_back(std::move(entry));
    }
    nlohmann::ordered_json out_segments = nlohmann::ordered_json::array();
    for (const RankedSegment& row : rows) {
        const SegmentDefinition& d = *row.definition;
        nlohmann::ordered_json by_dimension = nlohmann::ordered_json::object();
        for (std::size_t k = 0; k < scores.dimensions.size(); ++k) by_dimension[scores.dimensions[k]] = row.score->scores[k];
        nlohmann::ordered_json profile = nlohmann::ordered_json::object();
        for (const char* feature : profile_features) profile[feature] = s.stats.mean(row.id, feature);
        out_segments.push_back({{"rank", row.rank},
                                {"id", row.id},
                                {"name", d.name},
                                {"parents", d.parents},
                                {"catch_all", d.catch_all},
                                {"size", row.size},
                                {"share", row.share}});
        nlohmann::ordered_json& out = out_segments.back();
        if (row.holdout) {
            out["n_treatment"] = row.holdout->n_treatment;
            out["n_control"] = row.holdout->n_control;
            out["n_global_control"] = row.holdout->n_global_control;
            out["mde_abs"] = std::isfinite(row.holdout->mde_abs) ? nlohmann::ordered_json(row.holdout->mde_abs) : nlohmann::ordered_json();
        }
        out.update(nlohmann::ordered_json{{"rules_applied", row.rules_applied},
                                          {"rule", d.rule},
                                          {"merged", d.merged},
                                          {"scores", std::move(by_dimension)},
                                          {"overall_score", row.score->overall},
                                          {"tier", row.tier()},
                                          {"valid", row.valid()},
                                          {"invalid_reason", row.valid() ? nlohmann::ordered_json() : nlohmann::ordered_json(row.invalid_reason())},
                                          {"action", row.action()}});
        if (row.lift) out["lift"] = lift_json(*row.lift);  // after the action it may have changed
        out["profile"] = std::move(profile);
    }
    const ConstraintOptions& bounds = s.solution.options;
    nlohmann::ordered_json out = nlohmann::ordered_json{{"schema_version", strategy_schema_version},
                                  {"library_version", version},
                                  {"input", s.run.input},
                                  {"as_of", format_date(s.universe.as_of())},
                                  {"window_days", s.universe.window_days()},
                                  {"window_first_day", format_date(s.universe.first_day())},
                                  {"universe_size", s.universe.size()},
                                  {"rejected_rows", s.run.rejected_rows},
                                  {"warnings", s.run.warnings},
                                  {"constraints",
                                   {{"applied", s.run.constraints_applied},
                                    {"min_size", bounds.min_size},
                                    {"max_size", bounds.max_size},
                                    {"split_features", bounds.split_features},
                                    {"profile_features", bounds.profile_features}}},
                                  {"holdout", holdout_json(s)},
                                  {"weights", std::move(weights)},
                                  {"dimensions", std::move(dimensions)},
                                  {"tiers", tiers(s.scores.tiers)},
                                  {"thresholds", s.solution.rules.thresholds()},
                                  {"mece", s.check},
                                  {"overlap", overlap_json(s.overlap)},
                                  {"log", std::move(log)},
                                  {"tree", tree_json<nlohmann::ordered_json>(s.solution.rules)},
                                  {"segments", std::move(out_segments)}};
    if (s.lift) {  // only with measured lift: a run without is what it was
        nlohmann::ordered_json ordered;
        for (auto& [key, value] : out.items()) {
            ordered[key] = std::move(value);
            if (key == "holdout")
                ordered["lift"] = {{"source", s.lift->source}, {"scale", s.lift->options.scale}, {"prior_sd", s.lift->options.prior_sd}};
        }
        out = std::move(ordered);
    }
    return out;
}

MECE_INLINE void StrategyWriter::write(const Strategy& s) const {
    write_strategy_csv(s);
    write_strategy_json(s);
    write_strategy_md(s);
}

MECE_INLINE void StrategyWriter::write_strategy_json(const Strategy& s) const {
    // Text that is not UTF-8 (a file name with byte 0xFF) is written with U+FFFD in its place.
    const std::string text = strategy_json(s).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    detail::emit(batch_, directory_ / "strategy.json", [&](std::ostream& out) { out << text; });
}

MECE_INLINE void StrategyWriter::write_strategy_csv(const Strategy& s) const {
    const std::string text = strategy_csv(s);
    detail::emit(batch_, directory_ / "strategy.csv", [&](std::ostream& out) { out << text; });
}

MECE_INLINE std::string StrategyWriter::strategy_csv(const Strategy& s) {
    const RankedSegments rows(s);
    std::string text = "rank,id,name,parents,rules_applied,size,share";
    for (const auto& d : s.scores.dimensions) text += "," + detail::csv_cell(d);
    text += ",overall_score,tier,valid,invalid_reason,action";
    const std::vector<std::size_t> figures = rows.data_figures();
    for (std::size_t k : figures) text += "," + rows.figure_columns()[k].key;
    text += "\n";
    for (const RankedSegment& row : rows) {
        const auto cell = [&](const std::string& value, char end = ',') {
            text += value;
            text += end;
        };
        cell(std::to_string(row.rank));
        cell(std::to_string(row.id));
        cell(detail::csv_cell(row.name()));
        cell(detail::csv_cell(row.parent_path));
        cell(detail::csv_cell(row.rules_applied));
        cell(std::to_string(row.size));
        cell(format_number(row.share));
        for (double v : row.score->scores) cell(format_number(v));
        cell(format_number(row.score->overall));
        cell(detail::csv_cell(row.tier()));
        cell(row.valid() ? "true" : "false");
        cell(detail::csv_cell(row.invalid_reason()));
        cell(detail::csv_cell(row.action()), figures.empty() ? '\n' : ',');
        for (std::size_t i = 0; i < figures.size(); ++i)
            cell(detail::figure_csv(row.figures[figures[i]]), i + 1 == figures.size() ? '\n' : ',');
    }
    return text;
}

MECE_INLINE void StrategyWriter::write_strategy_md(const Strategy& s) const {
    const RankedSegments rows(s);
    const auto md = detail::markdown_text;
    std::string t = "# Cart abandoner strategy\n\n";
    t += "Input " + md(s.run.input) + "; universe: " + std::to_string(s.universe.size()) + " users who abandoned a cart from " +
         format_date(s.universe.first_day()) + " to " + format_date(s.universe.as_of()) + " (" +
         std::to_string(s.universe.window_days()) + " days); " + std::to_string(s.run.rejected_rows) +
         " input rows rejected.\n\n";
    if (!s.run.warnings.empty()) {
        t += "**Warnings**\n\n";
        for (const auto& w : s.run.warnings) t += "- " + md(w) + "\n";
        t += "\n";
    }
    t += "MECE checks: " + std::string(s.check.ok() ? "all pass" : "**FAILED**") + " (sum of sizes " +
         std::to_string(s.check.assigned_total) + " of " + std::to_string(s.check.universe_size) + "; " +
         std::to_string(s.check.overlapping) + " users in several segments; " + std::to_string(s.check.uncovered) +
         " in none; " + std::to_string(s.check.misassigned) + " outside their segment's rule).\n\n";
    const ConstraintOptions& bounds = s.solution.options;
    t += "Segment size bounds: " + std::to_string(bounds.min_size) + " to " + std::to_string(bounds.max_size) + " users" +
         (s.run.constraints_applied ? "; " + std::to_string(s.solution.log.size()) + " constraint actions (see the log below)."
                                    : "; not applied (validity is still reported).") +
         "\n\n";
    if (s.holdout) t += "Holdout: " + md(holdout_text(s.holdout->options)) + ".\n\n";
    if (s.lift) t += "Ranked with the lift measured in " + md(s.lift->source) + ", blended with the estimate by precision.\n\n";
    t += "## Segments by overall score\n\n| rank | segment | size | share |";
    for (const auto& d : s.scores.dimensions) t += " " + md(d) + " |";
    t += " overall |";
    const std::vector<std::size_t> figures = rows.people_figures();
    for (std::size_t k : figures) t += " " + md(rows.figure_columns()[k].label) + " |";
    t += " tier | valid | action |\n|---:|---|---:|---:|";
    for (std::size_t k = 0; k < s.scores.dimensions.size() + figures.size(); ++k) t += "---:|";
    t += "---:|---|---|---|\n";
    for (const RankedSegment& row : rows) {
        t += "| " + std::to_string(row.rank) + " | " + md(row.name()) + " | " + std::to_string(row.size) + " | " +
             detail::percent_text(row.share) + " |";
        for (double v : row.score->scores) {
            t += ' ';
            t += detail::score_text(v);
            t += " |";
        }
        t += " " + detail::score_text(row.score->overall) + " |";
        for (std::size_t k : figures) {
            t += ' ';  // appended piece by piece: `" " + text` draws GCC 12's false -Wrestrict (bug 105329)
            t += md(detail::figure_text(row.figures[k], rows.figure_columns()[k].kind));
            t += " |";
        }
        t += " " + md(row.tier()) + " | " +
             (row.valid() ? std::string("yes") : "no: " + md(row.invalid_reason())) + " | " + md(row.action()) + " |\n";
    }
    if (!figures.empty()) t += "\n";
    for (std::size_t k : figures)
        t += "- " + md(rows.figure_columns()[k].label) + ": " + md(rows.figure_columns()[k].description) + ".\n";
    t += "\n## Rules applied\n\nEach rule, evaluated on the universe, selects exactly its segment.\n\n";
    for (const RankedSegment& row : rows)
        t += "- **" + md(row.name()) + "** (id " + std::to_string(row.id) + "): " + md(row.rules_applied) + "\n";
    t += "\n## Scoring\n\nOverall score = weighted sum of the dimensions, each in [0,1]. Tiers:";
    for (const Tier& tier : s.scores.tiers) t += " " + md(tier.name) + " >= " + format_number(tier.min_score) + ";";
    t += "\n\n| dimension | weight | how it is computed |\n|---|---:|---|\n";
    for (std::size_t k = 0; k < s.scores.dimensions.size(); ++k)
        t += "| " + md(s.scores.dimensions[k]) + (s.scores.estimated[k] ? " (estimated)" : "") + " | " +
             detail::score_text(s.scores.weights[k]) + " | " + md(s.scores.descriptions[k]) + " |\n";
    t += "\n## Constraint log\n\n";
    if (s.solution.log.empty()) t += s.run.constraints_applied ? "No segment needed a change.\n" : "Constraints were not applied.\n";
    for (const ConstraintEvent& e : s.solution.log) {
        t += "- " + std::string(to_string(e.action)) + " **" + md(e.segment) + "** (" + std::to_string(e.size) + " users): " +
             md(e.reason);
        if (!e.feature.empty()) t += "; cut on " + md(e.feature);
        if (!e.users.empty()) {
            t += e.action == ConstraintEvent::Action::split ? "; parts: " : "; users went to: ";
            for (std::size_t i = 0; i < e.users.size(); ++i)
                t += (i ? ", " : "") + md(e.users[i].first) + " (" + std::to_string(e.users[i].second) + ")";
        }
        t += "\n";
    }
    detail::emit(batch_, directory_ / "strategy.md", [&](std::ostream& out) { out << t; });
}

#endif  // MECE_HEADER_DEFINITIONS

}  // namespace mece

#if defined(MECE_PRECOMPILED)
namespace mece {
extern template std::size_t StrategyWriter::write_assignments<float>(const Scope<float>&, const ResolvedRules&,
                                                                      const Assignment&, const std::optional<Holdout>&) const;
extern template std::size_t StrategyWriter::write_assignments<double>(const Scope<double>&, const ResolvedRules&,
                                                                       const Assignment&, const std::optional<Holdout>&) const;
}  // namespace mece
#endif
