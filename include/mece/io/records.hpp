#pragma once
/// \file io/records.hpp
/// `CsvRecords`: RFC 4180 records of a small CSV file (quoted fields with commas, quotes
/// and line breaks, CRLF, a UTF-8 byte order mark), one at a time with the line each
/// starts on, and the header's columns by name; what the campaign files
/// (`assignments.csv`, outcomes) are read with. Every error names the file and line, and
/// the column where there is one. (The dataset has its own, faster reader,
/// `mece/io/csv.hpp`.)

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <mece/error.hpp>
#include <mece/io/csv/parser.hpp>

namespace mece {

/// The records of a CSV file after its header.
///
/// \code
/// mece::CsvRecords records{"outcomes.csv"};
/// const auto id = records.column("user_id"), converted = records.column("converted");
/// while (records.next()) use(records.field(*id), records.field(*converted));
/// \endcode
class CsvRecords {
public:
    /// Opens `path` and reads its header; throws `InputError` naming the file, with the
    /// system's reason when it cannot be opened.
    explicit CsvRecords(const std::filesystem::path& path) : name_(path.string()) {
        std::error_code error;
        if (std::filesystem::is_directory(path, error)) detail::raise<InputError>(name_ + ": is a directory, not a CSV file");
        file_.open(path, std::ios::binary);
        if (!file_) detail::raise<InputError>(name_ + ": cannot open file: " + std::strerror(errno));
        in_ = &file_;
        read_header();
    }
    /// Reads from `in`, naming it `name` in messages.
    CsvRecords(std::istream& in, std::string name) : name_(std::move(name)), in_(&in) { read_header(); }

    CsvRecords(const CsvRecords&) = delete;
    CsvRecords& operator=(const CsvRecords&) = delete;

    const std::string& name() const noexcept { return name_; }
    const std::vector<std::string>& header() const noexcept { return header_; }

    /// The index of the header's column `name`; none when the header has no such column.
    std::optional<std::size_t> column(std::string_view name) const {
        for (std::size_t i = 0; i < header_.size(); ++i)
            if (header_[i] == name) return i;
        return std::nullopt;
    }
    /// The index of column `name`; an error naming the file when the header lacks it.
    std::size_t required_column(std::string_view name) const {
        if (const auto found = column(name)) return *found;
        detail::raise<InputError>(name_ + ":1: missing required column '" + std::string(name) + "'");
    }

    /// Reads the next record that is not blank; false at the end of the input. A record
    /// with another number of fields than the header is an error.
    bool next() {
        for (;;) {
            if (!read_record()) return false;
            if (fields_.size() == 1 && fields_[0].empty()) continue;  // a blank line
            if (fields_.size() != header_.size())
                detail::raise<InputError>(place() + "expected " + std::to_string(header_.size()) + " fields, got " +
                                          std::to_string(fields_.size()));
            return true;
        }
    }

    /// The line the current record starts on (the header is line 1).
    std::size_t line() const noexcept { return line_; }
    /// Field `index` of the current record.
    const std::string& field(std::size_t index) const { return fields_.at(index); }

    /// `file:line: ` of the current record, and `column 'name': ` of field `index`.
    std::string place() const { return name_ + ":" + std::to_string(line_) + ": "; }
    std::string place(std::size_t index) const { return place() + "column '" + header_.at(index) + "': "; }

    /// Throws `InputError` at field `index`: `file:line: column 'name': expected WHAT, got "text"`.
    [[noreturn]] void fail(std::size_t index, std::string_view what) const {
        detail::raise<InputError>(place(index) + "expected " + std::string(what) + ", got " + detail::quoted(fields_.at(index)));
    }

private:
    void read_header() {
        if (!read_record()) detail::raise<InputError>(name_ + ": empty file, expected a header line");
        header_ = fields_;
        if (!header_.empty() && header_[0].rfind("\xEF\xBB\xBF", 0) == 0) header_[0].erase(0, 3);
        for (std::size_t i = 0; i < header_.size(); ++i)
            for (std::size_t j = 0; j < i; ++j)
                if (header_[i] == header_[j])
                    detail::raise<InputError>(name_ + ":1: column '" + header_[i] + "' appears twice in the header");
    }

    /// The next line without its line feed, a view into the buffer valid until the next
    /// call; false at the end of the input. The input is read in large chunks.
    bool next_text_line(std::string_view& line) {
        for (;;) {
            const char* start = buffer_.data() + position_;
            const std::size_t available = filled_ - position_;
            if (const void* feed = std::memchr(start, '\n', available)) {
                const auto length = std::size_t(static_cast<const char*>(feed) - start);
                line = std::string_view(start, length);
                position_ += length + 1;
                return true;
            }
            if (at_end_) {
                if (available == 0) return false;
                line = std::string_view(start, available);
                position_ = filled_;
                return true;
            }
            std::memmove(buffer_.data(), start, available);
            filled_ = available;
            position_ = 0;
            if (buffer_.size() - filled_ < chunk_bytes / 2) buffer_.resize(buffer_.size() * 2);  // a line longer than a chunk
            in_->read(buffer_.data() + filled_, std::streamsize(buffer_.size() - filled_));
            if (in_->bad()) detail::raise<InputError>(name_ + ": read error: " + std::strerror(errno));
            filled_ += std::size_t(in_->gcount());
            at_end_ = in_->gcount() == 0 || in_->eof();
        }
    }

    /// One record, which may span lines inside quotes, into `fields_`. A line without a
    /// quote (nearly every line of the files these are) is split at its commas at once.
    bool read_record() {
        std::string_view text;
        if (!next_text_line(text)) return false;
        line_ = next_line_++;
        if (std::memchr(text.data(), '"', text.size()) == nullptr) {
            if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
            std::size_t count = 0;
            for (;;) {
                const auto comma = text.find(',');
                if (fields_.size() <= count) fields_.emplace_back();
                fields_[count++].assign(text.substr(0, comma));
                if (comma == std::string_view::npos) break;
                text.remove_prefix(comma + 1);
            }
            fields_.resize(count);
            return true;
        }
        fields_.assign(1, std::string());
        bool in_quotes = false, quoted_field = false, after_quote = false;
        for (;;) {
            for (std::size_t i = 0; i < text.size(); ++i) {
                const char c = text[i];
                std::string& field = fields_.back();
                if (in_quotes) {
                    if (c != '"') field += c;
                    else if (i + 1 < text.size() && text[i + 1] == '"') field += '"', ++i;
                    else in_quotes = false, after_quote = true;
                } else if (c == ',') {
                    fields_.emplace_back();
                    quoted_field = after_quote = false;
                } else if (c == '"' && field.empty() && !quoted_field) {
                    in_quotes = quoted_field = true;
                } else if (c == '\r' && i + 1 == text.size()) {
                    // the CR of a CRLF line end
                } else if (after_quote || c == '"') {
                    detail::raise<InputError>(place() + "column " + std::to_string(fields_.size()) +
                                              ": a quote inside a field must be doubled and the field quoted");
                } else {
                    field += c;
                }
            }
            if (!in_quotes) return true;
            fields_.back() += '\n';  // a line break inside quotes
            if (!next_text_line(text))
                detail::raise<InputError>(place() + "column " + std::to_string(fields_.size()) + ": quoted field never closes");
            ++next_line_;
        }
    }

    static constexpr std::size_t chunk_bytes = std::size_t{1} << 20;
    std::string name_;
    std::ifstream file_;
    std::istream* in_ = nullptr;
    std::vector<std::string> header_;
    std::vector<std::string> fields_;
    std::size_t line_ = 0, next_line_ = 1;
    std::string buffer_ = std::string(chunk_bytes, '\0');
    std::size_t position_ = 0, filled_ = 0;
    bool at_end_ = false;
};

}  // namespace mece
