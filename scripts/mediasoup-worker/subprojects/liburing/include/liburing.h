/*
 * liburing compatibility wrapper (Cloud Mediation). Found before the system
 * <liburing.h> on the include path; includes it and then provides the
 * liburing >= 2.4 helpers that mediasoup 3.19 uses but older liburing (Debian
 * 12 ships 2.3) lacks. The CM_LIBURING_* macros come from ../meson.build.
 */
#ifndef CM_LIBURING_COMPAT_H
#define CM_LIBURING_COMPAT_H

#include_next <liburing.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef CM_LIBURING_HAS_IO_URING_MAJOR_VERSION
static inline int io_uring_major_version(void)
{
	return CM_LIBURING_VERSION_MAJOR;
}
#endif

#ifndef CM_LIBURING_HAS_IO_URING_MINOR_VERSION
static inline int io_uring_minor_version(void)
{
	return CM_LIBURING_VERSION_MINOR;
}
#endif

#ifndef CM_LIBURING_HAS_IO_URING_PREP_SENDTO
/* Same as liburing >= 2.4: a send with a destination address (addr2/addr_len),
 * supported by kernels >= 6.0. */
static inline void io_uring_prep_sendto(struct io_uring_sqe *sqe,
					int sockfd,
					const void *buf,
					size_t len,
					int flags,
					const struct sockaddr *addr,
					socklen_t addrlen)
{
	io_uring_prep_send(sqe, sockfd, buf, len, flags);
	io_uring_prep_send_set_addr(sqe, addr, (__u16)addrlen);
}
#endif

#ifdef __cplusplus
}
#endif

#endif /* CM_LIBURING_COMPAT_H */
