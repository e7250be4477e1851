# Cross build of the runtime (and its gtests) for 64-bit ARM Linux on a Debian/Ubuntu x86-64
# machine, with Debian's cross compiler and multiarch arm64 libraries:
#
#   cmake -G Ninja -S . -B build/runtime-aarch64 -DEDGEC_BUILD_COMPILER=OFF \
#     -DCMAKE_TOOLCHAIN_FILE=runtime/cmake/aarch64-linux-gnu.cmake
#
# Packages (scripts/setup.sh installs them): g++-aarch64-linux-gnu qemu-user and, after
# `dpkg --add-architecture arm64`, libflatbuffers-dev:arm64 libgtest-dev:arm64
# libcpuinfo0:arm64. Not libcpuinfo-dev:arm64: it conflicts with libcpuinfo-dev:amd64 (both
# own /usr/lib/cmake/cpuinfo), so runtime/CMakeLists.txt links libcpuinfo.so.0 with the
# architecture-independent /usr/include/cpuinfo.h instead.
#
# Executables run under qemu-aarch64 (CMAKE_CROSSCOMPILING_EMULATOR, used by ctest).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(EDGEC_CROSS_TRIPLE aarch64-linux-gnu)

set(CMAKE_C_COMPILER ${EDGEC_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${EDGEC_CROSS_TRIPLE}-g++)
# Debian multiarch: the target's libraries and CMake packages live in
# /usr/lib/aarch64-linux-gnu, its libc in /usr/aarch64-linux-gnu.
set(CMAKE_LIBRARY_ARCHITECTURE ${EDGEC_CROSS_TRIPLE})

# The emulator runs them with the arm64 multiarch C library (libc6:arm64, which the arm64
# libraries above depend on): its /lib/ld-linux-aarch64.so.1 with its libc.so.6. Not with
# `-L /usr/aarch64-linux-gnu`: that swaps in the cross package's ld.so only, while libc.so.6
# still comes from /lib/aarch64-linux-gnu, and the two glibc builds (2.36-8cross1 and
# 2.36-9+deb12u*) mixed hang in the first pthread_create.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-${CMAKE_SYSTEM_PROCESSOR})

# Target files: the cross sysroot and the multiarch library directory. Packages, libraries
# and headers are searched there first and then in the build machine's /usr, where
# CMAKE_LIBRARY_ARCHITECTURE restricts library and package directories to
# lib/aarch64-linux-gnu (so nothing x86-64 is picked up) and the headers are shared.
# Programs (flatc, python3) are build-machine tools: host only.
set(CMAKE_FIND_ROOT_PATH /usr/${EDGEC_CROSS_TRIPLE} /usr/lib/${EDGEC_CROSS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
