#pragma once
// The columns of a pandas DataFrame as a mece::Dataset, and a Dataset as numpy columns.
//
// A column whose numpy array already holds what the dataset stores, contiguously, is
// viewed where it lies: the ids (int64), the measures and extra columns (the run's float
// type), the counts (int32). Any other dtype that holds the same values is converted
// into a buffer the dataset owns; a dtype that cannot (text where a number belongs) or a
// value that does not fit is an InputError in the words the CSV reader uses, with the
// row's position in the frame instead of the file's line.

#include <chrono>
#include <cmath>
#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <mece/dataset.hpp>
#include <mece/error.hpp>

namespace mece::python {

namespace py = pybind11;

/// What the dataset views: the numpy arrays it reads in place and the buffers it
/// converted. The arrays are released with the interpreter's lock held, from whichever
/// thread drops the last copy of the dataset.
struct FrameOwner {
    py::list arrays;
    std::deque<std::vector<std::int64_t>> ids;
    std::deque<std::vector<std::int32_t>> ints;
    std::deque<std::vector<double>> doubles;
    std::deque<std::vector<float>> floats;

    static std::shared_ptr<FrameOwner> make() {
        return {new FrameOwner, [](FrameOwner* owner) {
                    py::gil_scoped_acquire lock;
                    delete owner;
                }};
    }
};

/// Reads one DataFrame column after another into a dataset's buffers.
class FrameReader {
public:
    FrameReader(std::string source, std::shared_ptr<FrameOwner> owner) : source_(std::move(source)), owner_(std::move(owner)) {}

    /// A column's values as a one-dimensional array; `column` names it in messages.
    static py::array as_array(const py::handle& values, std::string_view column, const std::string& source) {
        auto array = py::reinterpret_borrow<py::array>(values);
        if (array.ndim() != 1)
            detail::raise<InputError>(source + ": column '" + std::string(column) + "': expected one value per row, got an array of " +
                                      std::to_string(array.ndim()) + " dimensions");
        return array;
    }

    std::span<const std::int64_t> ids(const py::array& a, std::string_view column) {
        const char kind = a.dtype().kind();
        if (kind == 'i' && a.itemsize() == 8 && contiguous(a)) return keep<std::int64_t>(a);
        std::vector<std::int64_t>& out = owner_->ids.emplace_back(std::size_t(a.size()));
        if (kind == 'i' || kind == 'u') {
            if (kind == 'u' && a.itemsize() == 8) {
                const auto wide = py::array_t<std::uint64_t, py::array::forcecast>::ensure(a);
                const auto* v = wide.data();
                for (std::size_t r = 0; r < out.size(); ++r) {
                    if (v[r] > std::uint64_t(std::numeric_limits<std::int64_t>::max()))
                        fail(r, column, "an integer", std::to_string(v[r]) + ": beyond the integers the column holds");
                    out[r] = std::int64_t(v[r]);
                }
                return out;
            }
            const auto wide = py::array_t<std::int64_t, py::array::forcecast>::ensure(a);
            std::copy_n(wide.data(), out.size(), out.begin());
            return out;
        }
        if (kind == 'f') {
            const auto wide = py::array_t<double, py::array::forcecast>::ensure(a);
            const double* v = wide.data();
            for (std::size_t r = 0; r < out.size(); ++r) {
                if (!(v[r] == std::trunc(v[r]) && std::abs(v[r]) < 0x1p63)) fail(r, column, "an integer", format_number(v[r]));
                out[r] = std::int64_t(v[r]);
            }
            return out;
        }
        wrong_dtype(a, column, "an integer");
    }

    /// A count: int32 as it lies; other integers, and floats that hold whole numbers
    /// (what pandas makes of an integer column with a missing value), converted.
    std::span<const std::int32_t> counts(const py::array& a, std::string_view column, const char* expected) {
        const char kind = a.dtype().kind();
        if (kind == 'i' && a.itemsize() == 4 && contiguous(a)) return keep<std::int32_t>(a);
        std::vector<std::int32_t>& out = owner_->ints.emplace_back(std::size_t(a.size()));
        const auto narrow = [&](std::size_t r, auto value, std::string shown) {
            if (value < std::numeric_limits<std::int32_t>::min() || value > std::numeric_limits<std::int32_t>::max())
                fail(r, column, expected, shown + ": beyond the integers the column holds");
            out[r] = std::int32_t(value);
        };
        if (kind == 'i' || (kind == 'u' && a.itemsize() < 8)) {
            const auto wide = py::array_t<std::int64_t, py::array::forcecast>::ensure(a);
            for (std::size_t r = 0; r < out.size(); ++r) narrow(r, wide.data()[r], std::to_string(wide.data()[r]));
            return out;
        }
        if (kind == 'u') {
            const auto wide = py::array_t<std::uint64_t, py::array::forcecast>::ensure(a);
            for (std::size_t r = 0; r < out.size(); ++r)
                narrow(r, std::int64_t(std::min<std::uint64_t>(wide.data()[r], std::uint64_t(1) << 40)), std::to_string(wide.data()[r]));
            return out;
        }
        if (kind == 'f') {
            const auto wide = py::array_t<double, py::array::forcecast>::ensure(a);
            for (std::size_t r = 0; r < out.size(); ++r) {
                const double v = wide.data()[r];
                if (v != std::trunc(v)) fail(r, column, expected, format_number(v));  // NaN too: a missing count
                narrow(r, std::clamp(v, -0x1p40, 0x1p40), format_number(v));
            }
            return out;
        }
        wrong_dtype(a, column, expected);
    }

    /// A measure or extra column: the run's float type as it lies, any other number
    /// converted.
    template <class Scalar>
    std::span<const Scalar> numbers(const py::array& a, std::string_view column, const char* expected) {
        const char kind = a.dtype().kind();
        if (kind == 'f' && a.itemsize() == sizeof(Scalar) && contiguous(a)) return keep<Scalar>(a);
        if (kind != 'f' && kind != 'i' && kind != 'u') wrong_dtype(a, column, expected);
        const auto converted = py::array_t<Scalar, py::array::forcecast | py::array::c_style>::ensure(a);
        auto& store = [this]() -> auto& {
            if constexpr (std::is_same_v<Scalar, float>) return owner_->floats;
            else return owner_->doubles;
        }();
        return store.emplace_back(converted.data(), converted.data() + converted.size());
    }

    /// A date column: datetime64 (days counted from its ticks, NaT missing), or objects
    /// (ISO text `YYYY-MM-DD`, `datetime.date`, pandas `Timestamp`; None, NaN, NaT or ""
    /// missing). `optional`: whether a missing date is allowed (`last_order_date`).
    std::span<const Days> dates(const py::array& a, std::string_view column, bool optional) {
        const char* expected = optional ? "a valid date YYYY-MM-DD or an empty field" : "a valid date YYYY-MM-DD";
        std::vector<std::int32_t>& out = owner_->ints.emplace_back(std::size_t(a.size()));
        const auto store = [&](std::size_t r, std::optional<std::int64_t> days, const std::string& shown) {
            if (!days) {
                if (!optional) fail(r, column, expected, shown);
                out[r] = no_date;
            } else if (*days < -719162 || *days > 2932896) {  // 0001-01-01 .. 9999-12-31
                fail(r, column, expected, shown);
            } else {
                out[r] = Days(*days);
            }
        };
        const char kind = a.dtype().kind();
        if (kind == 'M') {
            const std::int64_t per_day = ticks_per_day(a, column, expected);
            const auto ticks = py::array_t<std::int64_t, py::array::forcecast>::ensure(a.attr("view")("int64"));
            for (std::size_t r = 0; r < out.size(); ++r) {
                const std::int64_t t = ticks.data()[r];
                if (t == std::numeric_limits<std::int64_t>::min()) store(r, std::nullopt, "NaT");
                else store(r, t / per_day - (t % per_day < 0 ? 1 : 0), std::to_string(t));
            }
            return out;
        }
        if (kind != 'O' && kind != 'U') wrong_dtype(a, column, expected);
        const py::list values = a.attr("tolist")();
        for (std::size_t r = 0; r < out.size(); ++r) {
            const py::handle v = values[r];
            if (py::isinstance<py::str>(v)) {
                const std::string text = v.cast<std::string>();
                if (text.empty()) store(r, std::nullopt, "\"\"");
                else if (const auto day = parse_date(text)) store(r, *day, text);
                else fail(r, column, expected, "\"" + text + "\"");
            } else if (v.is_none() || (py::isinstance<py::float_>(v) && std::isnan(v.cast<double>()))) {
                store(r, std::nullopt, "None");
            } else if (py::hasattr(v, "year") && py::hasattr(v, "month") && py::hasattr(v, "day") &&
                       py::isinstance<py::int_>(v.attr("year"))) {
                using namespace std::chrono;
                const year_month_day day{year{v.attr("year").cast<int>()}, month{v.attr("month").cast<unsigned>()},
                                         std::chrono::day{v.attr("day").cast<unsigned>()}};
                store(r, sys_days(day).time_since_epoch().count(), py::str(v).cast<std::string>());
            } else if (py::hasattr(v, "year")) {  // pandas' NaT: its year is NaN
                store(r, std::nullopt, "NaT");
            } else {
                fail(r, column, expected, py::repr(v).cast<std::string>());
            }
        }
        return out;
    }

    [[noreturn]] void missing(std::string_view column) const {
        detail::raise<InputError>(source_ + ": missing required column '" + std::string(column) + "'");
    }

private:
    static bool contiguous(const py::array& a) { return a.size() <= 1 || a.strides(0) == a.itemsize(); }

    template <class T>
    std::span<const T> keep(const py::array& a) {
        owner_->arrays.append(a);
        return {static_cast<const T*>(a.data()), std::size_t(a.size())};
    }

    std::int64_t ticks_per_day(const py::array& a, std::string_view column, const char* expected) const {
        const py::tuple unit = py::module_::import("numpy").attr("datetime_data")(a.dtype());
        const std::string name = unit[0].cast<std::string>();
        const std::int64_t step = unit[1].cast<std::int64_t>();
        std::int64_t per_day = 0;
        if (name == "D") per_day = 1;
        else if (name == "h") per_day = 24;
        else if (name == "m") per_day = 1440;
        else if (name == "s") per_day = 86'400;
        else if (name == "ms") per_day = 86'400'000;
        else if (name == "us") per_day = 86'400'000'000;
        else if (name == "ns") per_day = 86'400'000'000'000;
        if (per_day == 0 || step <= 0 || per_day % step != 0) wrong_dtype(a, column, expected);
        return per_day / step;
    }

    [[noreturn]] void fail(std::size_t row, std::string_view column, std::string_view expected, const std::string& got) const {
        detail::raise<InputError>(source_ + ": row " + std::to_string(row) + ": column '" + std::string(column) + "': expected " +
                                  std::string(expected) + ", got " + got);
    }

    [[noreturn]] void wrong_dtype(const py::array& a, std::string_view column, std::string_view expected) const {
        detail::raise<InputError>(source_ + ": column '" + std::string(column) + "': expected " + std::string(expected) +
                                  ", got dtype " + py::str(a.dtype()).cast<std::string>());
    }

    std::string source_;
    std::shared_ptr<FrameOwner> owner_;
};

/// Whether the frame's measures are all float32: then the run is in float, reading them
/// in place; otherwise in double.
inline bool all_float32(const py::dict& columns) {
    for (const char* name : {"avg_order_value", "engagement_score", "profitability_score"}) {
        if (!columns.contains(name)) return false;
        const auto array = py::reinterpret_borrow<py::array>(columns[name]);
        if (array.dtype().kind() != 'f' || array.itemsize() != 4) return false;
    }
    return true;
}

/// The dataset viewing `columns` (name -> 1-D array, in the frame's order; `rows` rows).
/// Every schema column must be there; any other numeric column is an extra feature and
/// any other column is left out. Checked as the CSV reader checks a file.
template <class Scalar>
Dataset<Scalar> frame_dataset(const py::dict& columns, std::size_t rows, const std::string& source) {
    auto owner = FrameOwner::make();
    FrameReader read(source, owner);
    const auto column = [&](std::string_view name) {
        const py::str key{std::string(name)};
        if (!columns.contains(key)) read.missing(name);
        py::array a = FrameReader::as_array(columns[key], name, source);
        if (std::size_t(a.size()) != rows)
            detail::raise<InputError>(source + ": column '" + std::string(name) + "' has " + std::to_string(a.size()) +
                                      " values for " + std::to_string(rows) + " rows");
        return a;
    };
    typename Dataset<Scalar>::Buffers b;
    b.user_id = read.ids(column("user_id"), "user_id");
    b.cart_abandoned_date = read.dates(column("cart_abandoned_date"), "cart_abandoned_date", false);
    b.last_order_date = read.dates(column("last_order_date"), "last_order_date", true);
    b.avg_order_value = read.numbers<Scalar>(column("avg_order_value"), "avg_order_value", schema::aov_expected);
    b.sessions_last_30d = read.counts(column("sessions_last_30d"), "sessions_last_30d", schema::sessions_expected);
    b.num_cart_items = read.counts(column("num_cart_items"), "num_cart_items", schema::items_expected);
    b.engagement_score = read.numbers<Scalar>(column("engagement_score"), "engagement_score", schema::score_expected);
    b.profitability_score = read.numbers<Scalar>(column("profitability_score"), "profitability_score", schema::score_expected);
    for (const auto& item : columns) {
        const std::string name = py::str(item.first).cast<std::string>();
        bool in_schema = false;
        for (std::string_view field : schema_fields) in_schema = in_schema || field == name;
        if (in_schema) continue;
        const char kind = py::reinterpret_borrow<py::array>(item.second).dtype().kind();
        if (kind != 'f' && kind != 'i' && kind != 'u') continue;  // not a number: no rule can read it
        b.extra.emplace_back(name, read.numbers<Scalar>(column(name), name, "a finite number or NaN (missing)"));
    }
    b.owner = owner;
    Dataset<Scalar> data = Dataset<Scalar>::view(std::move(b));
    {
        py::gil_scoped_release unlocked;
        data.validate(source);
    }
    return data;
}

/// A read-only numpy array over `values`, which `keep` keeps alive.
template <class T>
py::array column_array(const T* values, Eigen::Index rows, const py::object& keep) {
    py::array_t<T> array({py::ssize_t(rows)}, {py::ssize_t(sizeof(T))}, values, keep);
    py::detail::array_proxy(array.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
    return array;
}

/// The dataset's columns as numpy arrays, in the CSV writer's order, then the extra
/// columns: the numbers over the dataset's own buffers (no copy), the dates as
/// datetime64[ns] (NaT where a user never ordered).
template <class Scalar>
py::dict dataset_columns(const Dataset<Scalar>& data) {
    auto* held = new Dataset<Scalar>(data);
    const py::capsule keep(held, [](void* p) { delete static_cast<Dataset<Scalar>*>(p); });
    const auto dates = [&](ColumnView<Days> days) {
        py::array_t<std::int64_t> ticks(data.rows());
        std::int64_t* out = ticks.mutable_data();
        for (Eigen::Index r = 0; r < data.rows(); ++r)
            out[r] = days[r] == no_date ? std::numeric_limits<std::int64_t>::min() : std::int64_t(days[r]) * 86'400'000'000'000;
        return ticks.attr("view")("datetime64[ns]");
    };
    py::dict out;
    out["user_id"] = column_array(data.user_id().data(), data.rows(), keep);
    out["cart_abandoned_date"] = dates(data.cart_abandoned_date());
    out["last_order_date"] = dates(data.last_order_date());
    out["avg_order_value"] = column_array(data.avg_order_value().data(), data.rows(), keep);
    out["sessions_last_30d"] = column_array(data.sessions_last_30d().data(), data.rows(), keep);
    out["num_cart_items"] = column_array(data.num_cart_items().data(), data.rows(), keep);
    out["engagement_score"] = column_array(data.engagement_score().data(), data.rows(), keep);
    out["profitability_score"] = column_array(data.profitability_score().data(), data.rows(), keep);
    for (const std::string& name : data.extra_names()) out[py::str(name)] = column_array(data.extra(name)->data(), data.rows(), keep);
    return out;
}

}  // namespace mece::python
