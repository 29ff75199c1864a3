// ha.cf's logfile and debugfile (heartbeat's /var/log/ha-log), as the one process that writes
// them appends to them: `hbctl log --write-files` (hb-log.service), from the journal. The daemons
// only log to the journal, so none of them needs /var/log, and a slow or full disk delays none.
//
// Each file stays open (O_APPEND) and is opened again when logrotate renamed or removed it (with
// or without `create`), checked once per batch of lines.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hb::log {

// One file appended to, kept open, and opened again once its path names another file or none.
class AppendFile {
 public:
  explicit AppendFile(std::string path) : path_(std::move(path)) {}
  ~AppendFile();
  AppendFile(const AppendFile&) = delete;
  AppendFile& operator=(const AppendFile&) = delete;

  // Closes the file if it was rotated away, so that the next append opens the path again.
  void check_rotation();
  // Appends `data` (opening the path if needed), all of it or up to an error. 0 or an errno.
  int append(std::string_view data);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

// heartbeat's rule for the pair: the logfile gets the lines up to info, the debugfile every
// line; an empty path is not written.
class LogFiles {
 public:
  LogFiles(const std::string& logfile, const std::string& debugfile);
  bool empty() const { return !logfile_ && !debugfile_; }

  // Adds one journal entry's ha-log lines (core/log/ha_log_line.hpp) to the batch.
  void add(int priority, std::string_view lines);
  // Checks each file for rotation, then appends its part of the batch in one write and empties
  // the batch. Returns "PATH: error" for each file that failed (its lines are dropped), empty
  // when all were written.
  std::string write_batch();

 private:
  std::optional<AppendFile> logfile_, debugfile_;
  std::string logfile_lines_, debugfile_lines_;
};

}  // namespace hb::log
