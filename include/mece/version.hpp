#pragma once
/// \file version.hpp
/// The library's version; CMake reads it from here.

#define MECE_VERSION_MAJOR 0
#define MECE_VERSION_MINOR 1
#define MECE_VERSION_PATCH 0

namespace mece {
/// "major.minor.patch"
inline constexpr const char* version = "0.1.0";
/// Version of the `strategy.json` layout that `StrategyWriter` writes; see `docs/strategy-json.md`.
inline constexpr int strategy_schema_version = 5;
}  // namespace mece
