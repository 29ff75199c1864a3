// Runs one call of a resource script as a child process (see script_call.hpp).
#include "script_call.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

extern char** environ;

namespace hb::resource_script {
namespace {

int wait_for(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return 127;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 127;
}

void read_all(int fd, std::string& into) {
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    std::size_t room = capture_limit - std::min(capture_limit, into.size());
    into.append(buf, std::min(room, static_cast<std::size_t>(n)));
  }
}

}  // namespace

CallResult call_script(const std::vector<std::string>& argv, bool capture_output) {
  CallResult result;
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  int pipe_fds[2] = {-1, -1};
  if (capture_output && pipe2(pipe_fds, O_CLOEXEC) < 0) {
    std::fprintf(stderr, "hb-resource-script: pipe: %s\n", std::strerror(errno));
    result.exit_code = 127;
    return result;
  }
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    std::fprintf(stderr, "hb-resource-script: fork: %s\n", std::strerror(errno));
    if (capture_output) close(pipe_fds[0]), close(pipe_fds[1]);
    result.exit_code = 127;
    return result;
  }
  if (pid == 0) {
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    if (capture_output) dup2(pipe_fds[1], STDOUT_FILENO);
    execve(args[0], args.data(), environ);
    std::fprintf(stderr, "hb-resource-script: cannot run %s: %s\n", args[0], std::strerror(errno));
    _exit(127);
  }
  if (capture_output) {
    close(pipe_fds[1]);
    read_all(pipe_fds[0], result.output);
    close(pipe_fds[0]);
  }
  result.exit_code = wait_for(pid);
  return result;
}

}  // namespace hb::resource_script
