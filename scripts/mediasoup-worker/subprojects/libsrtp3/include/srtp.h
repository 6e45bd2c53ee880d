/*
 * libsrtp 3 API compatibility header on top of libsrtp 2 (Cloud Mediation).
 *
 * mediasoup 3.19 does `#include <srtp.h>` and calls the libsrtp 3 API. This
 * header is found first on the include path; it pulls in the system
 * <srtp2/srtp.h> and redirects the few v3 functions whose signatures changed
 * to implementations in srtp3_compat.c (which call the real v2 functions).
 * Everything else mediasoup uses (srtp_init, srtp_create, srtp_dealloc,
 * srtp_policy_t, srtp_crypto_policy_set_*, event handler, ...) is source
 * compatible between v2 and v3.
 */
#ifndef CM_SRTP3_COMPAT_H
#define CM_SRTP3_COMPAT_H

#include <stddef.h>
#include <stdint.h>
#include <srtp2/srtp.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CM_SRTP3_COMPAT 1

/* Error codes added in libsrtp 3 (values as in libsrtp 3's srtp.h). */
#define srtp_err_status_buffer_small ((srtp_err_status_t)28)
#define srtp_err_status_cryptex_err ((srtp_err_status_t)29)

/*
 * v3: srtp_protect(ctx, in, in_len, out, out_len, mki_index), where *out_len
 * is the capacity of |out| on input and the SRTP length on output. |in| and
 * |out| may be the same buffer. Returns srtp_err_status_buffer_small if the
 * result would not fit. |mki_index| is ignored (mediasoup never uses MKI).
 */
srtp_err_status_t cm_srtp3_protect(srtp_t ctx,
                                   const uint8_t *rtp,
                                   size_t rtp_len,
                                   uint8_t *srtp,
                                   size_t *srtp_len,
                                   size_t mki_index);
srtp_err_status_t cm_srtp3_unprotect(srtp_t ctx,
                                     const uint8_t *srtp,
                                     size_t srtp_len,
                                     uint8_t *rtp,
                                     size_t *rtp_len);
srtp_err_status_t cm_srtp3_protect_rtcp(srtp_t ctx,
                                        const uint8_t *rtcp,
                                        size_t rtcp_len,
                                        uint8_t *srtcp,
                                        size_t *srtcp_len,
                                        size_t mki_index);
srtp_err_status_t cm_srtp3_unprotect_rtcp(srtp_t ctx,
                                          const uint8_t *srtcp,
                                          size_t srtcp_len,
                                          uint8_t *rtcp,
                                          size_t *rtcp_len);
/* v3 renamed srtp_remove_stream() to srtp_stream_remove(). */
srtp_err_status_t cm_srtp3_stream_remove(srtp_t session, uint32_t ssrc);

#define srtp_protect cm_srtp3_protect
#define srtp_unprotect cm_srtp3_unprotect
#define srtp_protect_rtcp cm_srtp3_protect_rtcp
#define srtp_unprotect_rtcp cm_srtp3_unprotect_rtcp
#define srtp_stream_remove cm_srtp3_stream_remove

#ifdef __cplusplus
}
#endif

#endif /* CM_SRTP3_COMPAT_H */
