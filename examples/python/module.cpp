// mece._mece: the pipeline for Python. The package `mece` (src/mece/__init__.py) wraps it
// for pandas: it hands a DataFrame's columns over as numpy arrays and builds DataFrames
// from what this returns. The pipeline runs with the interpreter's lock released.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <mece/io/campaign.hpp>
#include <mece/io/config.hpp>
#include <mece/io/csv.hpp>
#include <mece/io/generator.hpp>
#include <mece/io/output.hpp>
#include <mece/io/run_outputs.hpp>
#include <mece/io/text.hpp>
#include <mece/mece.hpp>
#include <mece/report.hpp>
#include <mece/strategy_writer.hpp>
#include <mece/version.hpp>

#include "frame.hpp"

namespace py = pybind11;

namespace mece::python {
namespace {

/// A finished run: the data it read (viewing the frame's arrays) and its strategy.
class Result {
public:
    template <class Scalar>
    explicit Result(RunResult<Scalar> run) : run_(std::move(run)) {}

    const Strategy& strategy() const {
        return std::visit([](const auto& r) -> const Strategy& { return r.strategy; }, run_);
    }

    std::string strategy_json() const {
        py::gil_scoped_release unlocked;
        return StrategyWriter::strategy_json(strategy()).dump(2);
    }
    std::string strategy_csv() const {
        py::gil_scoped_release unlocked;
        return StrategyWriter::strategy_csv(strategy());
    }
    std::string report_html() const {
        py::gil_scoped_release unlocked;
        return ReportWriter::html(strategy());
    }
    std::string text() const { return strategy_text(strategy()); }

    void write(const std::filesystem::path& directory, bool report) const {
        py::gil_scoped_release unlocked;
        OutputBatch batch{directory};
        std::visit([&](const auto& r) { write_run(batch, r, report); }, run_);
    }

    /// The universe's rows (positions in the frame), their user ids and segment ids, the
    /// segment names by id, and with a holdout each user's group (0 treatment, 1
    /// control, 2 global control).
    py::tuple assignment() const {
        return std::visit(
            [](const auto& r) {
                const Column<RowIndex>& rows = r.universe.rows();
                const auto n = py::ssize_t(rows.size());
                py::array_t<std::int64_t> positions(n), ids(n);
                py::array_t<std::int32_t> segments(n);
                const auto user_id = r.data.user_id();
                const auto& assigned = r.strategy.solution.assignment.segment_ids;
                for (py::ssize_t i = 0; i < n; ++i) {
                    positions.mutable_data()[i] = rows[i];
                    ids.mutable_data()[i] = user_id[rows[i]];
                    segments.mutable_data()[i] = assigned[i];
                }
                py::list names;
                for (const SegmentDefinition& s : r.strategy.solution.rules.segments()) names.append(s.name);
                py::object groups = py::none();
                if (r.strategy.holdout) {
                    const Holdout holdout{r.strategy.holdout->options};
                    py::array_t<std::uint8_t> g(n);
                    for (py::ssize_t i = 0; i < n; ++i) g.mutable_data()[i] = std::uint8_t(holdout.group(ids.data()[i]));
                    groups = std::move(g);
                }
                return py::make_tuple(positions, ids, segments, names, groups);
            },
            run_);
    }

    /// Where the run's dataset reads column `name`: the frame's own buffer when it was
    /// viewed, not copied.
    std::uintptr_t column_address(const std::string& name) const {
        return std::visit(
            [&](const auto& r) -> std::uintptr_t {
                const auto& d = r.data;
                const auto at = [](const auto& column) { return reinterpret_cast<std::uintptr_t>(column.data()); };
                if (name == "user_id") return at(d.user_id());
                if (name == "avg_order_value") return at(d.avg_order_value());
                if (name == "sessions_last_30d") return at(d.sessions_last_30d());
                if (name == "num_cart_items") return at(d.num_cart_items());
                if (name == "engagement_score") return at(d.engagement_score());
                if (name == "profitability_score") return at(d.profitability_score());
                if (const auto extra = d.extra(name)) return at(*extra);
                detail::raise<InputError>("no numeric column '" + name + "' in the run's data");
            },
            run_);
    }

    bool ok() const { return strategy().check.ok(); }
    unsigned threads() const {
        return std::visit([](const auto& r) { return r.threads; }, run_);
    }
    std::string dtype() const { return std::holds_alternative<RunResult<float>>(run_) ? "float32" : "float64"; }
    std::vector<std::string> warnings() const { return strategy().run.warnings; }

private:
    std::variant<RunResult<float>, RunResult<double>> run_;
};

/// The configuration: a preset, a config's JSON text or its file, with the keyword
/// arguments over it.
Config configure(const std::optional<std::string>& preset, const std::optional<std::string>& config_text,
                 const std::optional<std::filesystem::path>& config_path, const std::optional<std::string>& as_of, std::optional<int> window,
                 std::optional<Eigen::Index> min_size, std::optional<Eigen::Index> max_size, bool constraints,
                 std::optional<double> holdout, std::optional<std::string> holdout_salt,
                 const std::optional<std::filesystem::path>& lift) {
    if (preset && (config_text || config_path)) detail::raise<ConfigError>("preset and config: give one of them, not both");
    Config config;
    if (config_text) config = parse_config(*config_text, "config");
    else if (config_path) config = read_config(*config_path);
    else config.rules = presets::preset(preset.value_or("seed004"));
    ConfigOverrides overrides{.window_days = window,
                              .min_size = min_size,
                              .max_size = max_size,
                              .apply_constraints = constraints,
                              .holdout = holdout,
                              .holdout_salt = std::move(holdout_salt),
                              .lift = lift};
    if (as_of) {
        overrides.as_of = parse_date(*as_of);
        if (!overrides.as_of) detail::raise<ConfigError>("as_of: expected a date YYYY-MM-DD, got '" + *as_of + "'");
    }
    apply_overrides(config, overrides);
    return config;
}

template <class Scalar>
Result run_frame(const py::dict& columns, std::size_t rows, Config config, unsigned threads, const std::string& source) {
    Dataset<Scalar> data = frame_dataset<Scalar>(columns, rows, source);
    py::gil_scoped_release unlocked;
    config.threads = threads;
    config.input = source + " (" + std::to_string(rows) + " rows)";
    return Result(run(data, config.rules, config));
}

Result segment(const py::dict& columns, std::size_t rows, const std::optional<std::string>& preset,
               const std::optional<std::string>& config_text, const std::optional<std::filesystem::path>& config_path,
               const std::optional<std::string>& as_of, std::optional<int> window, std::optional<Eigen::Index> min_size,
               std::optional<Eigen::Index> max_size, bool constraints, std::optional<double> holdout,
               std::optional<std::string> holdout_salt, const std::optional<std::filesystem::path>& lift, unsigned threads,
               const std::string& source) {
    Config config = configure(preset, config_text, config_path, as_of, window, min_size, max_size, constraints, holdout,
                              std::move(holdout_salt), lift);
    if (all_float32(columns)) return run_frame<float>(columns, rows, std::move(config), threads, source);
    return run_frame<double>(columns, rows, std::move(config), threads, source);
}

py::tuple read_csv(const std::filesystem::path& path, bool lenient, unsigned threads) {
    CsvOptions options;
    options.lenient = lenient;
    options.threads = threads;
    CsvLoad<double> load;
    {
        py::gil_scoped_release unlocked;
        load = mece::read_csv<double>(path, options);
    }
    py::list rejections;
    for (const Rejection& r : load.report.rejections) rejections.append(r.message);
    return py::make_tuple(dataset_columns(load.data), load.report.rejected, rejections);
}

py::dict generate(Eigen::Index rows, std::uint64_t seed, const std::optional<std::string>& as_of, unsigned threads) {
    SyntheticOptions options{.rows = rows, .seed = seed, .threads = threads};
    if (rows < 0) detail::raise<ConfigError>("rows: expected a number of users >= 0, got " + std::to_string(rows));
    if (as_of) {
        const auto day = parse_date(*as_of);
        if (!day) detail::raise<ConfigError>("as_of: expected a date YYYY-MM-DD, got '" + *as_of + "'");
        options.as_of = *day;
    }
    Dataset<double> data;
    {
        py::gil_scoped_release unlocked;
        data = mece::generate<double>(options);
    }
    return dataset_columns(data);
}

/// An exception class `mece.<name>` deriving from `bases`.
py::object exception_class(py::module_& m, const char* name, py::tuple bases, const char* doc) {
    const std::string qualified = std::string("mece.") + name;
    py::object type = py::reinterpret_steal<py::object>(PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases.ptr(), nullptr));
    if (!type) throw py::error_already_set();
    m.attr(name) = type;
    return type;
}

}  // namespace
}  // namespace mece::python

PYBIND11_MODULE(_mece, m) {
    using namespace mece::python;
    using py::arg;
    m.doc() = "The mece pipeline; use the package `mece`, which wraps it for pandas.";
    m.attr("__version__") = std::string(mece::version);

    // The classes live as long as the interpreter: the module holds them, and these
    // handles (never released, so no reference is dropped after it is gone).
    static const py::handle error = exception_class(m, "Error", py::make_tuple(py::handle(PyExc_Exception)),
                                                    "A mece error: the message names the place (file, line, column, value).")
                                        .release();
    static const py::handle input_error =
        exception_class(m, "InputError", py::make_tuple(error, py::handle(PyExc_ValueError)),
                        "Bad input data: a missing column, a wrong dtype, a value out of range, a duplicate user id.")
            .release();
    static const py::handle config_error =
        exception_class(m, "ConfigError", py::make_tuple(error, py::handle(PyExc_ValueError)),
                        "A bad configuration or option: the message names the key.")
            .release();
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const mece::InputError& e) {
            PyErr_SetString(input_error.ptr(), e.what());
        } catch (const mece::ConfigError& e) {
            PyErr_SetString(config_error.ptr(), e.what());
        } catch (const mece::Error& e) {
            PyErr_SetString(error.ptr(), e.what());
        }
    });

    py::class_<Result>(m, "Result", "A finished run (wrapped by mece.Result).")
        .def("strategy_json", &Result::strategy_json, "strategy.json's text.")
        .def("strategy_csv", &Result::strategy_csv, "strategy.csv's text.")
        .def("report_html", &Result::report_html, "report.html's text.")
        .def("text", &Result::text, "The strategy as mece-segment prints it.")
        .def("write", &Result::write, arg("directory"), arg("report") = true, "Writes every output file into directory.")
        .def("assignment", &Result::assignment,
             "(rows, user_ids, segment_ids, segment_names, groups or None), in the frame's order.")
        .def("column_address", &Result::column_address, arg("name"), "Address of the buffer the run read column `name` from.")
        .def_property_readonly("ok", &Result::ok)
        .def_property_readonly("threads", &Result::threads)
        .def_property_readonly("dtype", &Result::dtype)
        .def_property_readonly("warnings", &Result::warnings);

    m.def("segment", &segment, arg("columns"), arg("rows"), arg("preset") = py::none(), arg("config_text") = py::none(),
          arg("config_path") = py::none(), arg("as_of") = py::none(), arg("window") = py::none(), arg("min_size") = py::none(),
          arg("max_size") = py::none(), arg("constraints") = true, arg("holdout") = py::none(),
          arg("holdout_salt") = py::none(), arg("lift") = py::none(), arg("threads") = 0u, arg("source") = "DataFrame",
          "Runs the pipeline over columns (name -> 1-D numpy array).");
    m.def("read_csv", &read_csv, arg("path"), arg("lenient") = false, arg("threads") = 0u,
          "Reads a CSV: (columns, rejected rows, the first rejection messages).");
    m.def("generate", &generate, arg("rows"), arg("seed") = 42, arg("as_of") = py::none(), arg("threads") = 0u,
          "The synthetic dataset's columns.");
}
