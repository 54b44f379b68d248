// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/load/load_run.hpp"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "ceslab/load/token_bucket.hpp"

namespace ceslab::load {

void validate(const LoadPlan& plan) {
  if (!plan.count && !plan.duration)
    throw std::invalid_argument("a load run needs a count or a duration to stop by");
  if (plan.concurrency == 0) throw std::invalid_argument("concurrency must be at least 1");
  if (!(plan.rate >= 0)) throw std::invalid_argument("rate must be 0 (unlimited) or above");
  if (plan.count && *plan.count == 0) throw std::invalid_argument("count must be at least 1");
  if (plan.duration && *plan.duration <= Duration::zero())
    throw std::invalid_argument("duration must be above 0");
}

std::string_view to_string(AttemptStatus status) {
  switch (status) {
    case AttemptStatus::issued:
      return "issued";
    case AttemptStatus::pending:
      return "pending";
    case AttemptStatus::failed:
      return "failed";
  }
  return "failed";
}

std::string_view to_string(StopReason reason) {
  switch (reason) {
    case StopReason::count:
      return "count";
    case StopReason::duration:
      return "duration";
    case StopReason::interrupted:
      return "interrupted";
  }
  return "interrupted";
}

namespace {

double rate_of(std::uint64_t n, Duration elapsed) {
  const double seconds = std::chrono::duration<double>(elapsed).count();
  return seconds > 0 ? static_cast<double>(n) / seconds : 0.0;
}

}  // namespace

double LoadReport::attempts_per_second() const {
  return rate_of(counts.total(), elapsed);
}
double LoadReport::issued_per_second() const {
  return rate_of(counts.issued, elapsed);
}

namespace {

using time_point = LoadClock::time_point;

// What the workers share: the pacing, the stop conditions and the records,
// under one lock (a few thousand attempts a second do not contend on it).
class SharedRun {
 public:
  // Counts `plan.concurrency` workers as running from the start, so that one
  // that ends at once cannot be missed by wait().
  SharedRun(const LoadPlan& plan, LoadClock& clock)
      : plan_(plan), clock_(clock), running_(plan.concurrency) {
    start_ = clock_.now();
    last_finish_ = start_;
    if (plan_.duration) deadline_ = start_ + *plan_.duration;
    // Burst 1: requests are spread evenly, never bunched, whatever the concurrency.
    if (plan_.rate > 0) bucket_.emplace(plan_.rate, 1.0, start_);
  }

  // The next attempt's index once it may start, or nullopt when no more may.
  std::optional<std::uint64_t> next(const std::stop_token& halt) {
    time_point slot;
    std::uint64_t index = 0;
    {
      const std::lock_guard lock(mutex_);
      if (halt.stop_requested()) return std::nullopt;
      if (plan_.count && started_ >= *plan_.count) return stop(StopReason::count);
      const time_point now = clock_.now();
      slot = bucket_ ? bucket_->reserve(now) : now;
      // An attempt whose turn comes at or after the deadline is not made.
      if (deadline_ && slot >= *deadline_) return stop(StopReason::duration);
      index = started_++;
    }
    if (!clock_.sleep_until(slot, halt)) return std::nullopt;
    return index;
  }

  void record(const AttemptResult& r, Duration latency, time_point finished) {
    const std::lock_guard lock(mutex_);
    samples_.push_back(latency);
    last_finish_ = std::max(last_finish_, finished);
    const auto second = static_cast<std::size_t>(
        std::chrono::duration_cast<std::chrono::seconds>(finished - start_).count());
    if (per_second_.size() <= second) per_second_.resize(second + 1);
    OutcomeCounts& in_second = per_second_[second];
    switch (r.status) {
      case AttemptStatus::issued:
        ++counts_.issued;
        ++in_second.issued;
        break;
      case AttemptStatus::pending:
        ++counts_.pending;
        ++in_second.pending;
        break;
      case AttemptStatus::failed: {
        ++counts_.failed;
        ++in_second.failed;
        CauseCount& c = causes_[{r.cause, r.tied}];
        if (c.count++ == 0) {
          c.cause = r.cause;
          c.tied = r.tied;
          c.title = r.title;
          c.example = r.message;
        }
        break;
      }
    }
  }

  void fail(std::exception_ptr e) {
    const std::lock_guard lock(mutex_);
    if (!failure_) failure_ = std::move(e);
  }

  void worker_done() {
    const std::lock_guard lock(mutex_);
    --running_;
    done_.notify_all();
  }

  // Waits until every worker is done, reporting progress on the way.
  void wait(const ProgressHook& progress) {
    std::unique_lock lock(mutex_);
    while (running_ > 0) {
      if (!progress.report) {
        done_.wait(lock, [&] { return running_ == 0; });
        break;
      }
      if (done_.wait_for(lock, progress.interval, [&] { return running_ == 0; })) break;
      LoadProgress p;
      p.counts = counts_;
      p.elapsed = clock_.now() - start_;
      std::vector<Duration> samples = samples_;
      lock.unlock();
      if (!samples.empty()) {
        auto middle = samples.begin() + static_cast<std::ptrdiff_t>((samples.size() - 1) / 2);
        std::nth_element(samples.begin(), middle, samples.end());
        p.p50 = *middle;
      }
      progress.report(p);
      lock.lock();
    }
  }

  LoadReport report(bool interrupted) {
    const std::lock_guard lock(mutex_);
    if (failure_) std::rethrow_exception(failure_);
    LoadReport r;
    r.plan = plan_;
    r.counts = counts_;
    r.elapsed = last_finish_ - start_;
    r.latency = summarize(samples_);
    r.latencies = samples_;
    r.per_second = per_second_;
    for (const auto& [id, c] : causes_) r.causes.push_back(c);
    std::stable_sort(r.causes.begin(), r.causes.end(),
                     [](const CauseCount& a, const CauseCount& b) { return a.count > b.count; });
    r.stopped_by = interrupted ? StopReason::interrupted : stop_reason_.value_or(StopReason::count);
    return r;
  }

 private:
  std::nullopt_t stop(StopReason reason) {
    if (!stop_reason_) stop_reason_ = reason;
    return std::nullopt;
  }

  const LoadPlan& plan_;
  LoadClock& clock_;
  time_point start_, last_finish_;
  std::optional<time_point> deadline_;
  std::optional<TokenBucket> bucket_;
  std::mutex mutex_;
  std::condition_variable done_;
  unsigned running_;
  std::uint64_t started_ = 0;
  OutcomeCounts counts_;
  std::vector<Duration> samples_;
  std::vector<OutcomeCounts> per_second_;  // LoadReport::per_second
  // By id and ties, so the report's order is stable.
  std::map<std::pair<std::string, std::vector<std::string>>, CauseCount> causes_;
  std::optional<StopReason> stop_reason_;
  std::exception_ptr failure_;
};

}  // namespace

LoadReport run_load(const LoadPlan& plan, const Attempt& attempt, LoadClock& clock,
                    std::stop_token stop, const ProgressHook& progress) {
  validate(plan);
  SharedRun run(plan, clock);
  std::stop_source halt;  // the caller's stop, or an attempt that threw
  const std::stop_callback forward(stop, [&] { halt.request_stop(); });
  {
    std::vector<std::jthread> workers;
    workers.reserve(plan.concurrency);
    for (unsigned w = 0; w < plan.concurrency; ++w) {
      workers.emplace_back([&] {
        const std::stop_token token = halt.get_token();
        try {
          while (const std::optional<std::uint64_t> index = run.next(token)) {
            const time_point started = clock.now();
            const AttemptResult r = attempt(*index);
            const time_point finished = clock.now();
            run.record(r, finished - started, finished);
          }
        } catch (...) {
          run.fail(std::current_exception());
          halt.request_stop();
        }
        run.worker_done();
      });
    }
    run.wait(progress);
  }  // joins the workers
  return run.report(stop.stop_requested());
}

}  // namespace ceslab::load
