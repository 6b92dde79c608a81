// A failure on one rank alone, outside `agree`, while the other ranks wait for it in a
// collective: `abort_unless_agreed` prints it and ends the whole job (no rank is left
// waiting). An agreed failure is thrown on, on every rank, for the caller to report.
// CTest runs it on 2 ranks and expects the message; a hang fails by its timeout.

#include <cstdio>

#include <mece/mpi.hpp>

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int status = 0;
    {
        const mece::mpi::Communicator comm;
        try {
            mece::mpi::abort_unless_agreed(comm, "lone-failure", [&] {
                mece::mpi::agree(comm, [&] {
                    if (comm.rank() == 1) throw mece::InputError("an agreed failure");
                });
            });
        } catch (const mece::InputError& e) {
            if (comm.rank() == 0) std::printf("agreed on every rank: %s\n", e.what());
            std::fflush(stdout);
        }
        (void)comm.sum(0);
        mece::mpi::abort_unless_agreed(comm, "lone-failure", [&] {
            if (comm.rank() == comm.size() - 1) throw mece::Error("this rank alone");
            (void)comm.sum(1);  // the others wait here for the failed rank
        });
        status = 3;  // not reached: the job was aborted
    }
    MPI_Finalize();
    return status;
}
