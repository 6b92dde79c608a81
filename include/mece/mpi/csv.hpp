#pragma once
/// \file mpi/csv.hpp
/// A CSV file read for a sharded run: each rank reads its own byte range (on its
/// threads), and the ranks agree on what one process would have found in the whole
/// file: the same rows in file order (rank r's rows come after rank r-1's), the same
/// messages with the file's line numbers, the same rejections, extra columns and
/// duplicate user ids.
///
/// A range starts just after a newline; where that newline sits inside a quoted field,
/// the rank before (which parsed with the true context) stops past it, and the rank
/// reads its range again from there. That costs a round per such boundary, and nothing
/// when no quoted field holds a newline at a boundary.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <mece/error.hpp>
#include <mece/io/csv.hpp>
#include <mece/mpi/communicator.hpp>

namespace mece::mpi {

namespace detail {

/// Strings as one buffer of length-prefixed bytes, to gather them.
inline void put_text(std::vector<char>& out, const std::string& text) {
    const std::uint64_t n = text.size();
    const char* bytes = reinterpret_cast<const char*>(&n);
    out.insert(out.end(), bytes, bytes + sizeof n);
    out.insert(out.end(), text.begin(), text.end());
}
inline std::string take_text(const std::vector<char>& in, std::size_t& at) {
    std::uint64_t n = 0;
    std::memcpy(&n, in.data() + at, sizeof n);
    at += sizeof n;
    std::string text(in.data() + at, std::size_t(n));
    at += std::size_t(n);
    return text;
}

/// One rank's part of the file and its parser; `bad`: the part's `InputError`, in its
/// own line numbers.
template <class Scalar>
struct CsvPart {
    std::unique_ptr<std::ifstream> stream;
    std::unique_ptr<mece::detail::CsvParser<Scalar>> parser;
    std::optional<std::string> bad{};
};

/// The file's line where each rank's part starts, from the lines each part read.
inline std::vector<std::size_t> first_lines(const std::vector<std::uint64_t>& next_lines) {
    std::vector<std::size_t> base{1};
    for (std::size_t p = 0; p + 1 < next_lines.size(); ++p) base.push_back(base.back() + std::size_t(next_lines[p]) - 1);
    return base;
}

/// Each rank's rows whose user id a row before it (on any rank) holds: (row, the line
/// of that first row), by row. Ids go to an owner rank by hash, which finds the repeats.
template <class Scalar>
std::vector<std::pair<Eigen::Index, std::size_t>> repeated_ids(const Communicator& comm, const mece::detail::CsvParser<Scalar>& part,
                                                               const std::vector<std::size_t>& base) {
    const auto n = std::uint64_t(comm.size());
    const auto owner = [n](std::int64_t id) { return std::size_t(((std::uint64_t(id) * 0x9E3779B97F4A7C15ull) >> 32) % n); };
    std::vector<std::vector<std::uint64_t>> to(static_cast<std::size_t>(n));
    const auto ids = part.ids();
    for (Eigen::Index row = 0; row < part.rows(); ++row) {
        auto& out = to[owner(ids[std::size_t(row)])];
        out.push_back(std::uint64_t(ids[std::size_t(row)]));
        out.push_back(part.line_of(row));
    }
    std::vector<std::uint64_t> mine = comm.all_to_all(to);
    std::vector<std::pair<std::int64_t, std::uint64_t>> seen;  // (id, line)
    for (std::size_t k = 0; k < mine.size(); k += 2) seen.emplace_back(std::int64_t(mine[k]), mine[k + 1]);
    mine = {};
    std::sort(seen.begin(), seen.end());
    for (auto& list : to) list.clear();
    for (std::size_t k = 1, first = 0; k < seen.size(); ++k) {
        if (seen[k].first != seen[k - 1].first) {
            first = k;
            continue;
        }
        const std::uint64_t line = seen[k].second;
        const auto rank = std::size_t(std::upper_bound(base.begin(), base.end(), std::size_t(line)) - base.begin()) - 1;
        to[rank].push_back(line);
        to[rank].push_back(seen[first].second);
    }
    std::vector<std::uint64_t> back = comm.all_to_all(to);
    std::vector<std::pair<std::uint64_t, std::uint64_t>> lines;  // (line of a repeat here, line of its first)
    for (std::size_t k = 0; k < back.size(); k += 2) lines.emplace_back(back[k], back[k + 1]);
    std::sort(lines.begin(), lines.end());
    std::vector<std::pair<Eigen::Index, std::size_t>> repeats;
    Eigen::Index low = 0;
    for (const auto& [line, first_line] : lines) {
        Eigen::Index high = part.rows();  // the row read from `line`: lines grow with rows
        while (low < high) {
            const Eigen::Index mid = low + (high - low) / 2;
            if (part.line_of(mid) < line) low = mid + 1;
            else high = mid;
        }
        repeats.emplace_back(low, std::size_t(first_line));
    }
    return repeats;
}

}  // namespace detail

/// Reads `path` with each rank parsing its byte range; returns rank r's rows (the rows
/// of its range, in file order) and the whole file's report, on every rank. Collective;
/// a bad file is the same `InputError` on every rank, with the message and line number
/// `mece::read_csv` gives for the whole file.
template <class Scalar = double>
CsvLoad<Scalar> read_csv(const Communicator& comm, const std::filesystem::path& path, CsvOptions options = {}) {
    using Parser = mece::detail::CsvParser<Scalar>;
    const std::string name = path.string();
    const int ranks = comm.size(), rank = comm.rank();
    CsvOptions quiet = options;
    quiet.progress = nullptr;
    const std::uintmax_t size = agree(comm, [&] {
        std::error_code error;
        const auto bytes = std::filesystem::file_size(path, error);
        if (!std::ifstream(path, std::ios::binary)) mece::detail::raise<InputError>(name + ": cannot open file");
        if (error) mece::detail::raise<InputError>(name + ": cannot read by byte ranges: " + error.message());
        return bytes;
    });
    const std::uintmax_t share = size / std::uintmax_t(ranks);
    const std::uintmax_t per_part = std::max<std::uintmax_t>(1, options.parallel_from_bytes / 4);
    unsigned threads = mece::detail::thread_count(options.threads, Eigen::Index(std::min<std::uintmax_t>(share / per_part, 1u << 20)));
    if (share < options.parallel_from_bytes) threads = 1;

    // Every rank reads the header; rank 0 goes on from it.
    detail::CsvPart<Scalar> header;
    header.stream = std::make_unique<std::ifstream>(path, std::ios::binary);
    header.parser = std::make_unique<Parser>(*header.stream, name, rank == 0 ? options : quiet, rank == 0 ? share / threads : 0);
    agree(comm, [&] { header.parser->begin_file(); });
    const std::vector<std::uintmax_t> starts = mece::detail::part_starts(path, header.parser->stop_offset(), size, unsigned(ranks));
    const auto start_of = [&](int p) { return std::size_t(p) < starts.size() ? starts[std::size_t(p)] : size; };

    // A part from byte `from` to the record that starts at or after `to`.
    const auto parse = [&](std::uintmax_t from, std::uintmax_t to) {
        detail::CsvPart<Scalar> part;
        if (rank == 0 && from == header.parser->stop_offset()) {
            part = std::move(header);
        } else {
            part.stream = std::make_unique<std::ifstream>(path, std::ios::binary);
            part.stream->seekg(std::streamoff(from));
            part.parser = std::make_unique<Parser>(*part.stream, name, quiet, std::max<std::uintmax_t>(1, (to > from ? to - from : 0) / threads));
            part.parser->begin_part(*header.parser, from, 1);
        }
        try {
            mece::detail::parse_range(*part.parser, path, options, to, threads);
        } catch (const InputError& e) {
            part.bad = e.what();
        }
        return part;
    };
    detail::CsvPart<Scalar> part = agree(comm, [&] { return parse(start_of(rank), start_of(rank + 1)); });
    const auto status = [&] { return comm.all_gather_each(std::vector<std::uint64_t>{part.parser->stop_offset(), part.bad ? 1u : 0u}); };

    // Ranks in order: a range is right when it starts where the one before stopped; the
    // first that does not reads again from there. The first error in file order wins.
    std::vector<std::uint64_t> state = status();
    std::uint64_t boundary = state[0];
    int failed = state[1] ? 0 : -1;
    for (int p = 1; p < ranks && failed < 0; ++p) {
        if (start_of(p) != boundary) {
            agree(comm, [&] {
                if (rank == p) part = parse(boundary, std::max<std::uintmax_t>(boundary, start_of(p + 1)));
            });
            state = status();
        }
        if (state[2 * std::size_t(p) + 1]) failed = p;
        boundary = state[2 * std::size_t(p)];
    }
    const std::vector<std::size_t> base = detail::first_lines(comm.all_gather(std::uint64_t(part.parser->next_line())));
    if (failed >= 0) {
        const std::string message = rank == failed ? part.parser->relocate(*part.bad, base[std::size_t(failed)]) : std::string();
        throw Agreed<InputError>(comm.broadcast(message, failed));
    }
    Parser& parser = *part.parser;
    parser.rebase(base[std::size_t(rank)]);

    // An extra column is text when any part found text in it; the first such value names it.
    const auto kinds = parser.extra_kinds();
    std::vector<std::uint64_t> mine;
    for (const auto& k : kinds) mine.push_back(k.numeric ? 0 : k.text_line);
    const std::vector<std::uint64_t> text_lines = comm.all_gather_each(mine);
    for (std::size_t e = 0; e < kinds.size(); ++e)
        for (int p = 0; p < ranks; ++p)
            if (const std::uint64_t line = text_lines[std::size_t(p) * kinds.size() + e]) {
                parser.make_text(e, std::size_t(line), comm.broadcast(rank == p ? kinds[e].text_value : std::string(), p));
                break;
            }

    std::vector<std::uint64_t> counts{std::uint64_t(parser.rows()), parser.report().rejected};
    comm.sum(counts);
    agree(comm, [&] { parser.require_rows(std::size_t(counts[0]), std::size_t(counts[1])); });
    const auto repeats = detail::repeated_ids(comm, parser, base);
    agree(comm, [&] { parser.set_aside_duplicates(repeats); });

    CsvLoad<Scalar> load = parser.finish();
    counts = {std::uint64_t(load.report.rows), load.report.rejected};
    comm.sum(counts);
    load.report.rows = std::size_t(counts[0]);
    load.report.rejected = std::size_t(counts[1]);
    // The first messages in line order: the ranks' lists, each in line order, one after another.
    std::vector<char> packed;
    for (const auto& r : load.report.rejections) {
        detail::put_text(packed, std::to_string(r.line));
        detail::put_text(packed, r.message);
    }
    const std::vector<char> all = comm.all_gather(packed);
    load.report.rejections.clear();
    for (std::size_t at = 0; at < all.size() && load.report.rejections.size() < options.max_messages;) {
        const std::size_t line = std::stoull(detail::take_text(all, at));
        load.report.rejections.push_back({line, detail::take_text(all, at)});
    }
    return load;
}

}  // namespace mece::mpi
