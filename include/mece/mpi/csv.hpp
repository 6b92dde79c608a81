#pragma once
/// \file mpi/csv.hpp
/// A CSV file read for a sharded run. Rank 0 reads it with `mece::read_csv` (on its
/// threads), so every message, line number and rejection is the one-process reader's;
/// then each rank receives its share of the rows, in file order (rank r the rows
/// `[r n / N, (r + 1) n / N)`). Every rank has the load's report.

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <mece/io/csv.hpp>
#include <mece/mpi/communicator.hpp>
#include <mece/mpi/run.hpp>

namespace mece::mpi {

/// Reads `path` on rank 0 and hands each rank its share of the rows. Collective; a bad
/// file is the same `InputError` on every rank.
template <class Scalar = double>
CsvLoad<Scalar> read_csv(const Communicator& comm, const std::filesystem::path& path, CsvOptions options = {}) {
    const bool root = comm.rank() == 0;
    CsvLoad<Scalar> whole = agree(comm, [&] { return root ? mece::read_csv<Scalar>(path, options) : CsvLoad<Scalar>{}; });
    // What every rank must know of the load: its report (the messages too) and the columns.
    std::string header;
    if (root) {
        nlohmann::json j;
        j["rows"] = whole.report.rows;
        j["rejected"] = whole.report.rejected;
        j["extra"] = whole.data.extra_names();
        j["ignored"] = whole.report.ignored_columns;
        nlohmann::json text = nlohmann::json::array(), rejections = nlohmann::json::array();
        for (const auto& name : whole.report.ignored_columns) text.push_back(whole.data.text_column(name).value_or(""));
        for (const auto& r : whole.report.rejections) rejections.push_back({r.line, r.message});
        j["text"] = text;
        j["rejections"] = rejections;
        j["extra_columns"] = whole.report.extra_columns;
        header = j.dump();
    }
    const nlohmann::json facts = nlohmann::json::parse(comm.broadcast(std::move(header), 0));
    LoadReport report;
    report.rows = facts["rows"].get<std::size_t>();
    report.rejected = facts["rejected"].get<std::size_t>();
    report.extra_columns = facts["extra_columns"].get<std::vector<std::string>>();
    report.ignored_columns = facts["ignored"].get<std::vector<std::string>>();
    for (const auto& r : facts["rejections"]) report.rejections.push_back({r[0].get<std::size_t>(), r[1].get<std::string>()});

    const auto rows = Eigen::Index(report.rows);
    std::vector<std::vector<std::uint64_t>> to(std::size_t(comm.size()));
    if (root) {
        const detail::RowWords<Scalar> words(whole.data);
        for (int r = 0; r < comm.size(); ++r)
            for (Eigen::Index row = rows * r / comm.size(); row < rows * (r + 1) / comm.size(); ++row) words.pack(row, to[std::size_t(r)]);
        whole.data = {};  // its rows are in `to` now
    }
    const std::vector<std::uint64_t> mine = comm.all_to_all(to);
    to.clear();
    const auto names = facts["extra"].get<std::vector<std::string>>();
    const std::size_t w = detail::RowWords<Scalar>::words_for(names.size());
    const auto n = Eigen::Index(mine.size() / w);
    auto c = detail::RowWords<Scalar>::columns(n, names);
    for (Eigen::Index i = 0; i < n; ++i) detail::RowWords<Scalar>::unpack(mine.data() + std::size_t(i) * w, c, i);
    for (std::size_t k = 0; k < report.ignored_columns.size(); ++k)
        c.text.emplace_back(report.ignored_columns[k], facts["text"][k].get<std::string>());
    return {Dataset<Scalar>(std::move(c)), std::move(report)};
}

}  // namespace mece::mpi
