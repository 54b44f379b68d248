// SPDX-License-Identifier: GPL-2.0-or-later
// Long-running commands (run) own a KDC and temporary lab state: an
// interrupt must let them clean up rather than kill them mid-way.
#pragma once

#include <signal.h>

#include <functional>
#include <optional>
#include <stop_token>

namespace ceslab::app {

// The signals that stop a long-running command: ^C, kill, and a closed
// terminal (a lab must still be removed then).
sigset_t stop_signal_set();

// Runs `work` on its own thread while this thread waits for SIGINT, SIGTERM
// or SIGHUP. The first signal asks the work to stop (its stop_token) and
// waits for it to wind down and clean up; a second signal ends the process
// at once (the KDC still dies with it, PR_SET_PDEATHSIG). Returns the first
// signal, or nullopt when the work ran to its end. An exception from the
// work is rethrown here.
std::optional<int> run_interruptible(const std::function<void(std::stop_token)>& work);

}  // namespace ceslab::app
