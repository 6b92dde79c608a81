#pragma once
/// \file io/csv/load.hpp
/// What a CSV load is asked to do and what it reports (see `io/csv.hpp`).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <mece/dataset.hpp>

namespace mece {

/// How to read a CSV file.
struct CsvOptions {
    /// Set bad rows aside instead of stopping at the first.
    bool lenient = false;
    /// In lenient mode, how many rejection messages to keep; all are counted.
    std::size_t max_messages = 1000;
    /// Called after each chunk read (every few MiB) with the bytes read so far and the
    /// input's size (0 when unknown), e.g. to show progress on a long load.
    std::function<void(std::uintmax_t bytes_read, std::uintmax_t bytes_total)> progress;
    /// Threads that parse a file (0: all cores); the result, errors included, is the same
    /// for any number. Files smaller than `parallel_from_bytes` are read by one thread;
    /// never more threads than the cores available, nor than parts of a quarter of
    /// `parallel_from_bytes` each.
    unsigned threads = 1;
    std::uintmax_t parallel_from_bytes = std::uintmax_t{32} << 20;
    /// A header with more columns is refused: each extra column is kept in memory.
    std::size_t max_columns = 10000;
};

/// A row set aside in lenient mode.
struct Rejection {
    std::size_t line = 0;
    std::string message{};
};

/// What a load did.
struct LoadReport {
    /// Rows loaded.
    std::size_t rows = 0;
    /// Rows set aside (lenient mode).
    std::size_t rejected = 0;
    /// The first `CsvOptions::max_messages` rejections, in line order.
    std::vector<Rejection> rejections{};
    /// Columns not in the schema kept as numeric features, and those ignored as not numeric.
    std::vector<std::string> extra_columns{};
    std::vector<std::string> ignored_columns{};
};

/// A dataset and the report of its load.
template <class Scalar>
struct CsvLoad {
    Dataset<Scalar> data{};
    LoadReport report{};
};
}  // namespace mece
