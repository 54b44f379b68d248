// SPDX-License-Identifier: GPL-2.0-or-later
#include "interruptible.hpp"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <thread>

namespace ceslab::app {

sigset_t stop_signal_set() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  return signals;
}

std::optional<int> run_interruptible(const std::function<void(std::stop_token)>& work) {
  const sigset_t stop_signals = stop_signal_set();
  sigset_t previous;
  // Blocked before the worker starts, so it inherits the mask and only this
  // thread's sigtimedwait sees the signals.
  pthread_sigmask(SIG_BLOCK, &stop_signals, &previous);

  std::atomic<bool> done{false};
  std::exception_ptr failure;
  std::optional<int> interrupted;
  {
    std::jthread worker([&](std::stop_token stop) {
      try {
        work(stop);
      } catch (...) {
        failure = std::current_exception();
      }
      done = true;
    });
    const timespec poll{0, 50'000'000};  // 50 ms: how soon the end of the work is noticed
    while (!done) {
      const int signal = sigtimedwait(&stop_signals, nullptr, &poll);
      if (signal <= 0) continue;  // timeout or EINTR
      if (interrupted) {
        std::cerr << "ceslab: interrupted again (signal " << signal << "); quitting now\n";
        std::_Exit(128 + signal);
      }
      interrupted = signal;
      std::cerr << "ceslab: interrupted (signal " << signal
                << "); finishing the case in progress and cleaning up (interrupt again to quit "
                   "at once)\n";
      worker.request_stop();
    }
  }  // joins the worker
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  if (failure) std::rethrow_exception(failure);
  return interrupted;
}

}  // namespace ceslab::app
