#pragma once
/// \file io/lift_writer.hpp
/// `LiftWriter`: a `LiftReport` as `lift.json` (layout in `docs/lift-json.md`),
/// `lift.csv` (one row per segment, then `total` and `global`) and `lift.svg` (each
/// segment's lift with its interval), each written atomically, or staged in an
/// `OutputBatch` to appear together.

#include <algorithm>
#include <array>
#include <cstdio>
#include <cmath>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <mece/error.hpp>
#include <mece/holdout.hpp>
#include <mece/io/output.hpp>
#include <mece/io/text.hpp>
#include <mece/lift_report.hpp>
#include <mece/plot/lift.hpp>
#include <mece/version.hpp>

namespace mece {

/// Version of the `lift.json` layout.
inline constexpr int lift_schema_version = 1;

/// Where a report's inputs came from, for its outputs.
struct LiftSources {
    std::string assignments{};
    std::string outcomes{};
};

class LiftWriter {
public:
    /// The files `write` produces.
    static constexpr std::array<std::string_view, 3> files = {"lift.json", "lift.csv", "lift.svg"};

    /// Creates `directory` if needed; with `batch`, files are staged in it.
    explicit LiftWriter(std::filesystem::path directory, OutputBatch* batch = nullptr)
        : directory_(std::move(directory)), batch_(batch) {
        if (batch_ && batch_->directory().lexically_normal() != directory_.lexically_normal())
            detail::raise<Error>(directory_.string() + ": not the directory of the output batch, " + batch_->directory().string());
        detail::create_output_directory(directory_);
    }
    explicit LiftWriter(OutputBatch& batch) : LiftWriter(batch.directory(), &batch) {}

    /// `lift.json`, `lift.csv` and `lift.svg`.
    void write(const LiftReport& report, const LiftSources& sources = {}) const {
        const std::string json = lift_json(report, sources).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
        detail::emit(batch_, directory_ / "lift.json", [&](std::ostream& out) { out << json; });
        const std::string csv = lift_csv(report);
        detail::emit(batch_, directory_ / "lift.csv", [&](std::ostream& out) { out << csv; });
        const std::string svg = plot::lift_chart(report);
        detail::emit(batch_, directory_ / "lift.svg", [&](std::ostream& out) { out << svg; });
    }

    /// The figures of one comparison, by the names of SPEC section 8.2; a number that
    /// cannot be computed is `null`.
    static nlohmann::ordered_json figures_json(const LiftFigures& f) {
        const auto number = [](double v) { return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(); };
        const auto interval = [&](const Interval& i) {
            return i.known() ? nlohmann::ordered_json::array({i.low, i.high}) : nlohmann::ordered_json();
        };
        nlohmann::ordered_json j{{"n_treatment", f.n_treatment},
                                 {"n_control", f.n_control},
                                 {"conversions_treatment", f.conversions_treatment},
                                 {"conversions_control", f.conversions_control},
                                 {"rate_treatment", number(f.rate_treatment)},
                                 {"rate_control", number(f.rate_control)},
                                 {"lift_abs", number(f.lift_abs)},
                                 {"lift_abs_ci", interval(f.lift_abs_ci)},
                                 {"lift_rel", f.lift_rel ? number(*f.lift_rel) : nlohmann::ordered_json()},
                                 {"lift_rel_ci", interval(f.lift_rel_ci)},
                                 {"p_value", number(f.p_value)},
                                 {"q_value", number(f.q_value)},
                                 {"significant", f.significant},
                                 {"incremental_conversions", number(f.incremental_conversions)},
                                 {"incremental_conversions_ci", interval(f.incremental_conversions_ci)}};
        if (f.revenue) {
            j["revenue_per_user_treatment"] = number(f.revenue->per_user_treatment);
            j["revenue_per_user_control"] = number(f.revenue->per_user_control);
            j["revenue_diff"] = number(f.revenue->diff);
            j["revenue_diff_ci"] = interval(f.revenue->diff_ci);
            j["incremental_revenue"] = number(f.revenue->incremental);
        }
        j["srm_p_value"] = number(f.srm_p_value);
        j["srm"] = f.srm;
        j["low_data"] = f.low_data;
        j["mde_abs"] = number(f.mde_abs);
        return j;
    }

    static nlohmann::ordered_json lift_json(const LiftReport& r, const LiftSources& sources = {}) {
        nlohmann::ordered_json segments = nlohmann::ordered_json::array();
        for (const SegmentLift& s : r.segments) {
            nlohmann::ordered_json entry{{"id", s.id}, {"name", s.name}};
            entry.update(figures_json(s.lift));
            segments.push_back(std::move(entry));
        }
        const HoldoutOptions& h = r.holdout;
        return {{"schema_version", lift_schema_version},
                {"library_version", version},
                {"assignments", sources.assignments},
                {"outcomes", sources.outcomes},
                {"alpha", lift_alpha},
                {"holdout",
                 {{"share", h.share},
                  {"salt", h.salt},
                  {"global_share", h.global_share},
                  {"global_salt", h.global_salt},
                  {"hash", std::string(holdout_hash_name)}}},
                {"revenue", r.revenue},
                {"users", r.users},
                {"outcomes_matched", r.outcomes_matched},
                {"unmatched_outcomes", r.unmatched_outcomes},
                {"segments", std::move(segments)},
                {"total", figures_json(r.total)},
                {"global", r.global ? figures_json(*r.global) : nlohmann::ordered_json()}};
    }

    /// `scope,id,name`, then the figures (an interval as `_low` and `_high`), one row per
    /// segment by id, then `total` and, with a global control group, `global`.
    static std::string lift_csv(const LiftReport& r) {
        const nlohmann::ordered_json shape = figures_json(r.total);
        std::string text = "scope,id,name";
        for (const auto& item : shape.items()) {
            const bool interval = item.key().size() > 3 && item.key().compare(item.key().size() - 3, 3, "_ci") == 0;
            text += interval ? "," + item.key() + "_low," + item.key() + "_high" : "," + item.key();
        }
        text += "\n";
        const auto row = [&](std::string_view scope, const std::string& id, const std::string& name, const LiftFigures& f) {
            text += std::string(scope) + "," + id + "," + detail::csv_cell(name);
            const nlohmann::ordered_json figures = figures_json(f);
            for (const auto& item : figures.items()) {
                const auto& v = item.value();
                const bool interval = item.key().size() > 3 && item.key().compare(item.key().size() - 3, 3, "_ci") == 0;
                if (interval) text += v.is_null() ? ",," : "," + format_number(v[0].get<double>()) + "," + format_number(v[1].get<double>());
                else if (v.is_null()) text += ",";
                else if (v.is_boolean()) text += v.get<bool>() ? ",true" : ",false";
                else if (v.is_number_integer()) text += "," + std::to_string(v.get<std::int64_t>());
                else text += "," + format_number(v.get<double>());
            }
            text += "\n";
        };
        for (const SegmentLift& s : r.segments) row("segment", std::to_string(s.id), s.name, s.lift);
        row("total", "", "", r.total);
        if (r.global) row("global", "", "", *r.global);
        return text;
    }

    /// The report for a terminal: one line per segment (treated and control users and
    /// rates, the lift with its interval in percentage points, p and q), then the total.
    static std::string lift_text(const LiftReport& r) {
        std::size_t name_width = 12;
        for (const SegmentLift& s : r.segments) name_width = std::max(name_width, s.name.size());
        std::string t;
        const auto add = [&t](const char* format, auto... values) {
            char line[512];
            const int length = std::snprintf(line, sizeof line, format, values...);
            t.append(line, std::size_t(std::clamp(length, 0, int(sizeof line) - 1)));
        };
        const auto pp = [](double v) { return std::isfinite(v) ? detail::figure_text(v, FigureColumn::Kind::rate) : std::string("n/a"); };
        const auto line = [&](const std::string& id, const std::string& name, const LiftFigures& f) {
            add("%4s  %-*s  %9lld %9lld  %7s %7s  %10s  [%s, %s]  %7s %7s%s%s\n", id.c_str(), int(name_width), name.c_str(),
                static_cast<long long>(f.n_treatment), static_cast<long long>(f.n_control),
                detail::percent_text(f.rate_treatment).c_str(), detail::percent_text(f.rate_control).c_str(), pp(f.lift_abs).c_str(),
                pp(f.lift_abs_ci.low).c_str(), pp(f.lift_abs_ci.high).c_str(), detail::figure_text(f.p_value, FigureColumn::Kind::number).c_str(),
                detail::figure_text(f.q_value, FigureColumn::Kind::number).c_str(), f.significant ? "  significant" : "",
                f.srm ? "  SPLIT BROKEN (srm)" : f.low_data ? "  little data" : "");
        };
        add("%4s  %-*s  %9s %9s  %7s %7s  %10s  %-22s  %7s %7s\n", "id", int(name_width), "segment", "treated", "control",
            "rate T", "rate C", "lift", "95% interval", "p", "q");
        for (const SegmentLift& s : r.segments) line(std::to_string(s.id), s.name, s.lift);
        line("", "all segments", r.total);
        if (r.global) line("", "treated vs global control", *r.global);
        add("\n%lld users; %lld outcomes matched, %lld unmatched (not in the assignments, not used)\n",
            static_cast<long long>(r.users), static_cast<long long>(r.outcomes_matched), static_cast<long long>(r.unmatched_outcomes));
        return t;
    }

private:
    std::filesystem::path directory_;
    OutputBatch* batch_ = nullptr;
};

}  // namespace mece
