#pragma once
/// \file io/csv/parallel.hpp
/// A CSV file read on several threads, by byte ranges (see `io/csv.hpp`).

#include <cstdint>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <mece/error.hpp>
#include <mece/io/csv/load.hpp>
#include <mece/io/csv/parser.hpp>

namespace mece::detail {

/// Where `parts` byte ranges of the file's `[begin, end)` start: at `begin`, then each
/// just after the first newline past its share; fewer where no newline is left before
/// `end`. Strictly increasing.
inline std::vector<std::uintmax_t> part_starts(const std::filesystem::path& path, std::uintmax_t begin, std::uintmax_t end,
                                               unsigned parts) {
    std::vector<std::uintmax_t> starts{begin};
    std::ifstream scan(path, std::ios::binary);
    std::vector<char> block(std::size_t{1} << 16);
    for (unsigned p = 1; p < parts && end > begin; ++p) {
        std::uintmax_t offset = std::max<std::uintmax_t>(begin + (end - begin) / parts * p, starts.back() + 1);
        scan.clear();
        scan.seekg(std::streamoff(offset));
        std::uintmax_t found = 0;
        while (!found && scan && offset < end) {
            scan.read(block.data(), std::streamsize(block.size()));
            const auto got = std::size_t(scan.gcount());
            if (const void* newline = std::memchr(block.data(), '\n', got))
                found = offset + std::uintmax_t(static_cast<const char*>(newline) - block.data()) + 1;
            offset += got;
            if (got == 0) break;
        }
        if (!found || found >= end) break;
        starts.push_back(found);
    }
    return starts;
}

/// Parses the records of the file from where `first` stands to `end` (the last record
/// the one that starts before it) into `first`, in byte ranges on up to `threads`
/// threads. Each range counts its lines from 1; its line numbers (in rows and in
/// messages, which all start `file:line:`) move to `first`'s once the ranges before it
/// are done. Parsing from a newline is right unless the newline sits inside a quoted
/// field; the ranges before always have the true context, so where the last record does
/// not end exactly where the next range began, the next ranges are dropped and the rest
/// is read again in order. Errors are what one thread reports.
template <class Scalar>
void parse_range(CsvParser<Scalar>& first, const std::filesystem::path& path, const CsvOptions& options, std::uintmax_t end,
                 unsigned threads) {
    const std::string name = path.string();
    const std::vector<std::uintmax_t> starts = part_starts(path, first.stop_offset(), end, threads);
    const std::size_t parts = starts.size();
    if (parts == 1) {
        first.parse_records(end);
        return;
    }
    std::vector<std::unique_ptr<std::ifstream>> streams;
    std::vector<std::unique_ptr<CsvParser<Scalar>>> rest;
    CsvOptions quiet = options;
    quiet.progress = nullptr;
    const auto part_end = [&](std::size_t p) { return p + 1 < parts ? starts[p + 1] : end; };
    for (std::size_t p = 1; p < parts; ++p) {
        streams.push_back(std::make_unique<std::ifstream>(path, std::ios::binary));
        streams.back()->seekg(std::streamoff(starts[p]));
        rest.push_back(std::make_unique<CsvParser<Scalar>>(*streams.back(), name, quiet, part_end(p) - starts[p]));
        rest.back()->begin_part(first, starts[p], 1);
    }
    std::vector<std::exception_ptr> failed(parts);
    std::vector<std::optional<std::string>> bad_input(parts);  // a part's InputError, its lines its own
    std::vector<std::thread> workers;
    for (std::size_t p = 1; p < parts; ++p)
        workers.emplace_back([&, p] {
            try {
                rest[p - 1]->parse_records(part_end(p));
            } catch (const InputError& e) {
                bad_input[p] = e.what();
            } catch (...) {
                failed[p] = std::current_exception();
            }
        });
    try {
        first.parse_records(starts[1]);
    } catch (...) {
        failed[0] = std::current_exception();
    }
    for (auto& worker : workers) worker.join();

    if (failed[0]) std::rethrow_exception(failed[0]);
    for (std::size_t p = 1; p < parts; ++p) {
        const std::size_t base = first.next_line();  // `first`'s line where part p starts
        if (first.stop_offset() != starts[p]) {
            // A boundary fell inside a quoted field: read the rest in order from here.
            std::ifstream tail(path, std::ios::binary);
            tail.seekg(std::streamoff(first.stop_offset()));
            const std::uintmax_t from = first.stop_offset();
            CsvParser<Scalar> rest_in_order(tail, name, quiet, end > from ? end - from : 0);
            rest_in_order.begin_part(first, from, base);
            rest_in_order.parse_records(end);
            first.absorb(std::move(rest_in_order), 1);
            break;
        }
        if (failed[p]) std::rethrow_exception(failed[p]);
        if (bad_input[p]) raise<InputError>(first.relocate(*bad_input[p], base));
        first.absorb(std::move(*rest[p - 1]), base, threads);
    }
}

/// Reads a file in `threads` byte ranges at once (see `parse_range`).
template <class Scalar>
CsvLoad<Scalar> read_csv_parts(const std::filesystem::path& path, std::ifstream& in, const CsvOptions& options,
                               std::uintmax_t size, unsigned threads) {
    CsvParser<Scalar> first(in, path.string(), options, size / threads);
    first.begin_file();
    parse_range(first, path, options, size, threads);
    return first.end_file();
}
}  // namespace mece::detail
