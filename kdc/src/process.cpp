// SPDX-License-Identifier: GPL-2.0-or-later
#include "process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace ceslab::kdc {
namespace {

// The child's environment: ours plus `extra` (which wins).
std::vector<std::string> merged_environment(const std::vector<std::string>& extra) {
  std::vector<std::string> out;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const std::string name = entry.substr(0, entry.find('='));
    bool overridden = false;
    for (const std::string& x : extra) overridden |= x.rfind(name + "=", 0) == 0;
    if (!overridden) out.push_back(entry);
  }
  out.insert(out.end(), extra.begin(), extra.end());
  return out;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// The child side of fork + exec. Everything it needs was built before the
// fork: after it, a multi-threaded parent's child may only make
// async-signal-safe calls.
[[noreturn]] void exec_child(char* const* args, char* const* envp, int out_fd, pid_t parent) {
  // A mask is inherited across fork and exec: a parent that blocks its stop
  // signals for sigwait (serve, run) would hand the KDC a blocked SIGTERM, so
  // neither stop_daemon nor the parent-death signal would end it.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != parent) _exit(127);  // the parent is already gone
  dup2(out_fd, STDOUT_FILENO);
  dup2(out_fd, STDERR_FILENO);
  const int devnull = open("/dev/null", O_RDONLY);
  if (devnull >= 0) dup2(devnull, STDIN_FILENO);
  setpgid(0, 0);  // a terminal's ^C goes to us, and we stop the child ourselves
  execve(args[0], args, envp);
  static const char kFailed[] = "exec failed\n";
  (void)!write(STDERR_FILENO, kFailed, sizeof kFailed - 1);
  _exit(127);
}

// Forks a child that runs `argv` with our environment plus `env`, its
// stdout and stderr on `out_fd`, and that dies with this process; returns
// its pid. `out_fd` is the child's: closed here either way.
pid_t spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env, int out_fd) {
  std::vector<std::string> args = argv;
  std::vector<std::string> envs = merged_environment(env);
  const std::vector<char*> c_args = c_strings(args);
  const std::vector<char*> c_env = c_strings(envs);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0) exec_child(c_args.data(), c_env.data(), out_fd, parent);
  const int fork_errno = errno;
  close(out_fd);
  if (pid < 0) throw std::runtime_error("fork: " + std::string(std::strerror(fork_errno)));
  return pid;
}

}  // namespace

ToolResult run_tool(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe: " + std::string(std::strerror(errno)));
  pid_t pid = -1;
  try {
    pid = spawn(argv, env, fds[1]);
  } catch (const std::runtime_error&) {
    close(fds[0]);
    throw;
  }
  ToolResult result;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    result.output.append(buf, static_cast<std::size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

int start_daemon(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                 const std::string& log_file) {
  const int log = open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log < 0) throw std::runtime_error(log_file + ": " + std::strerror(errno));
  return spawn(argv, env, log);
}

bool daemon_running(int pid) {
  int status = 0;
  return waitpid(pid, &status, WNOHANG) == 0;
}

void stop_daemon(int pid) {
  if (pid <= 0) return;
  kill(pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
}

}  // namespace ceslab::kdc
