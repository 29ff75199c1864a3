// Reading a whole small file into a string: the one reader for hb's own files (ha.d's
// configuration, hb-linkd's state files and credentials, hbctl log's cursor).
#pragma once

#include <cstddef>
#include <string>

namespace hb::sys {

struct FileRead {
  std::string text;    // the whole file when ok()
  unsigned mode = 0;   // its permission bits (07777), from the file that was opened
  unsigned owner = 0;  // its uid, likewise
  // errno of what failed, 0 when the whole file was read. Besides open(2)'s and read(2)'s:
  // EISDIR for a directory, EINVAL for anything else that is not a regular file (a FIFO would
  // block, a device may never end), EFBIG for a file larger than the limit, ELOOP for a symbolic
  // link with Symlinks::refuse.
  int error = 0;

  bool ok() const { return error == 0; }
  std::string error_text() const;  // strerror(error)
};

enum class Symlinks { follow, refuse };

// The file is checked after it is opened (fstat: no window between the check and the read).
FileRead read_file(const std::string& path, std::size_t max_size,
                   Symlinks symlinks = Symlinks::follow);

// The same from a descriptor another process opened and handed over (a D-Bus 'h' argument):
// read from its start with pread(2), so neither side's file offset matters; not closed here.
FileRead read_descriptor(int fd, std::size_t max_size);

}  // namespace hb::sys
