#ifndef SIPPET_TESTS_SUPPORT_SUBPROCESS_H_
#define SIPPET_TESTS_SUPPORT_SUBPROCESS_H_

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

namespace sippet::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs argv to completion with extra environment variables ("NAME=value").
CommandResult RunProcess(const std::vector<std::string>& argv,
                  const std::vector<std::string>& env = {});

// A background process whose stdout and stderr go to a log file.
class Subprocess {
 public:
  Subprocess(const std::vector<std::string>& argv, const std::vector<std::string>& env,
             const std::string& log_path);
  ~Subprocess();  // SIGKILLs it if still running
  void Signal(int sig);
  // Waits up to timeout_ms; returns the exit code, or -1 if it is still running.
  int Wait(int timeout_ms);
  std::string Log() const;
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  std::string log_path_;
  bool exited_ = false;
  int exit_code_ = -1;
};

}  // namespace sippet::testing

#endif  // SIPPET_TESTS_SUPPORT_SUBPROCESS_H_
