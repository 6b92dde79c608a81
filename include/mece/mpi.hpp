#pragma once
/// \file mpi.hpp
/// The MPI layer: what a run sharded over processes needs from MPI, kept out of
/// `<mece/mece.hpp>` so the core library never depends on MPI. Include it and link the
/// CMake target `mece::mpi` (built with `MECE_BUILD_MPI`), or MPI yourself.
///
/// - `mece::mpi::Communicator`: the collectives (sums, extremes, gathers, broadcast),
///   MPI's errors as `mece::Error`, and the rounds and bytes each rank moved;
/// - `mece::mpi::agree`: a failure on any rank becomes the same exception on every rank;
/// - `mece::mpi::bracketed_quantiles`: exact quantiles of values spread over the ranks,
///   equal bit for bit to the one-process selection;
/// - `mece::mpi::Ranks`: the ranks as the `mece::Shards` of a run.

#include <mece/mpi/communicator.hpp>
#include <mece/mpi/quantile.hpp>
#include <mece/mpi/shards.hpp>
