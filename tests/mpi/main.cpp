// doctest's main for the MPI tests: MPI around the run; the exit status fails when any
// rank's tests failed, so `mpirun` reports a failure wherever it happened.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <mece/mpi/communicator.hpp>  // mpi.h, its C interface

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int failed = 0;
    {
        doctest::Context context(argc, argv);
        failed = context.run() != 0 ? 1 : 0;
    }
    int any = 0;
    MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    MPI_Finalize();
    return any;
}
