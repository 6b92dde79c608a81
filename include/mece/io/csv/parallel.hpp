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

/// Reads a file in `threads` byte ranges at once, each starting after the first newline
/// past its share of the file. Each range counts its lines from 1; its line numbers (in
/// rows and in messages, which all start `file:line:`) move to the file's once the
/// ranges before it are done. Parsing from a newline is right unless the newline sits
/// inside a quoted field; the ranges before always have the true context, so where the
/// last record does not end exactly where the next range began, the next ranges are
/// dropped and the rest is read again in order. Errors are what one thread reports.
template <class Scalar>
CsvLoad<Scalar> read_csv_parts(const std::filesystem::path& path, std::ifstream& in, const CsvOptions& options,
                               std::uintmax_t size, unsigned threads) {
    const std::string name = path.string();
    CsvParser<Scalar> first(in, name, options, size / threads);
    first.begin_file();

    std::vector<std::uintmax_t> starts{0};
    {
        std::ifstream scan(path, std::ios::binary);
        std::vector<char> block(std::size_t{1} << 16);
        for (unsigned p = 1; p < threads; ++p) {
            std::uintmax_t offset = std::max<std::uintmax_t>({size / threads * p, first.stop_offset(), starts.back() + 1});
            scan.clear();
            scan.seekg(std::streamoff(offset));
            std::uintmax_t found = 0;
            while (!found && scan) {
                scan.read(block.data(), std::streamsize(block.size()));
                const auto got = std::size_t(scan.gcount());
                if (const void* newline = std::memchr(block.data(), '\n', got))
                    found = offset + std::uintmax_t(static_cast<const char*>(newline) - block.data()) + 1;
                offset += got;
                if (got == 0) break;
            }
            if (!found || found >= size) break;
            starts.push_back(found);
        }
    }
    const std::size_t parts = starts.size();
    if (parts == 1) {
        first.parse_records();
        return first.end_file();
    }
    std::vector<std::unique_ptr<std::ifstream>> streams;
    std::vector<std::unique_ptr<CsvParser<Scalar>>> rest;
    CsvOptions quiet = options;
    quiet.progress = nullptr;
    for (std::size_t p = 1; p < parts; ++p) {
        streams.push_back(std::make_unique<std::ifstream>(path, std::ios::binary));
        streams.back()->seekg(std::streamoff(starts[p]));
        const std::uintmax_t end = p + 1 < parts ? starts[p + 1] : size;
        rest.push_back(std::make_unique<CsvParser<Scalar>>(*streams.back(), name, quiet, end - starts[p]));
        rest.back()->begin_part(first, starts[p], 1);
    }
    std::vector<std::exception_ptr> failed(parts);
    std::vector<std::optional<std::string>> bad_input(parts);  // a part's InputError, its lines its own
    std::vector<std::thread> workers;
    for (std::size_t p = 1; p < parts; ++p)
        workers.emplace_back([&, p] {
            try {
                rest[p - 1]->parse_records(p + 1 < parts ? starts[p + 1] : std::numeric_limits<std::uintmax_t>::max());
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
        const std::size_t base = first.next_line();  // the file's line where part p starts
        if (first.stop_offset() != starts[p]) {
            // A boundary fell inside a quoted field: read the rest in order from here.
            std::ifstream tail(path, std::ios::binary);
            tail.seekg(std::streamoff(first.stop_offset()));
            CsvParser<Scalar> rest_in_order(tail, name, quiet, size - first.stop_offset());
            rest_in_order.begin_part(first, first.stop_offset(), base);
            rest_in_order.parse_records();
            first.absorb(std::move(rest_in_order), 1);
            break;
        }
        if (failed[p]) std::rethrow_exception(failed[p]);
        if (bad_input[p]) raise<InputError>(first.relocate(*bad_input[p], base));
        first.absorb(std::move(*rest[p - 1]), base, threads);
    }
    return first.end_file();
}
}  // namespace mece::detail
