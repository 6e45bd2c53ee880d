/*
 * libsrtp 3 API compatibility layer on top of libsrtp 2 (Cloud Mediation).
 * See include/srtp.h. This file deliberately includes the *v2* header only,
 * so the names below refer to the real libsrtp2 functions.
 */
#include <limits.h>
#include <string.h>
#include <srtp2/srtp.h>

/* Prototypes (identical to include/srtp.h, which we must not include here
 * because it #defines the v2 names away). */
srtp_err_status_t cm_srtp3_protect(srtp_t, const uint8_t *, size_t, uint8_t *,
                                   size_t *, size_t);
srtp_err_status_t cm_srtp3_unprotect(srtp_t, const uint8_t *, size_t,
                                     uint8_t *, size_t *);
srtp_err_status_t cm_srtp3_protect_rtcp(srtp_t, const uint8_t *, size_t,
                                        uint8_t *, size_t *, size_t);
srtp_err_status_t cm_srtp3_unprotect_rtcp(srtp_t, const uint8_t *, size_t,
                                          uint8_t *, size_t *);
srtp_err_status_t cm_srtp3_stream_remove(srtp_t, uint32_t);

#define CM_SRTP_ERR_BUFFER_SMALL ((srtp_err_status_t)28)

/* Size of the SRTCP "E flag + index" word appended by srtp_protect_rtcp(). */
#define CM_SRTCP_INDEX_LEN 4

/*
 * Returns non-zero if |in_len| bytes plus the trailer that protection will
 * append fit into |capacity|. Fast path: no MKI is in use, so the trailer is
 * at most SRTP_MAX_TAG_LEN (+4 for SRTCP). Only when that bound does not fit
 * do we ask libsrtp2 for the exact trailer length of this session.
 */
static int cm_fits(srtp_t ctx, size_t in_len, size_t capacity, int rtcp)
{
    uint32_t trailer = 0;
    srtp_err_status_t status;

    if (in_len > (size_t)INT_MAX / 2)
        return 0;
    if (in_len + SRTP_MAX_TAG_LEN + (rtcp ? CM_SRTCP_INDEX_LEN : 0) <= capacity)
        return 1;
    status = rtcp ? srtp_get_protect_rtcp_trailer_length(ctx, 0, 0, &trailer)
                  : srtp_get_protect_trailer_length(ctx, 0, 0, &trailer);
    if (status != srtp_err_status_ok)
        return 0;
    /* libsrtp2's rtcp trailer length already includes the 4 byte index. */
    return in_len + trailer <= capacity;
}

static srtp_err_status_t cm_protect(srtp_t ctx,
                                    const uint8_t *in,
                                    size_t in_len,
                                    uint8_t *out,
                                    size_t *out_len,
                                    int rtcp)
{
    srtp_err_status_t status;
    int len;

    if (ctx == NULL || in == NULL || out == NULL || out_len == NULL)
        return srtp_err_status_bad_param;
    if (!cm_fits(ctx, in_len, *out_len, rtcp))
        return CM_SRTP_ERR_BUFFER_SMALL;
    if (out != in)
        memmove(out, in, in_len);
    len = (int)in_len;
    status = rtcp ? srtp_protect_rtcp(ctx, out, &len)
                  : srtp_protect(ctx, out, &len);
    if (status != srtp_err_status_ok)
        return status;
    *out_len = (size_t)len;
    return srtp_err_status_ok;
}

static srtp_err_status_t cm_unprotect(srtp_t ctx,
                                      const uint8_t *in,
                                      size_t in_len,
                                      uint8_t *out,
                                      size_t *out_len,
                                      int rtcp)
{
    srtp_err_status_t status;
    int len;

    if (ctx == NULL || in == NULL || out == NULL || out_len == NULL)
        return srtp_err_status_bad_param;
    if (in_len > (size_t)INT_MAX)
        return srtp_err_status_bad_param;
    /* libsrtp2 works in place, so a distinct |out| must hold the whole input
     * (the decrypted result is always shorter than that). */
    if (out != in) {
        if (*out_len < in_len)
            return CM_SRTP_ERR_BUFFER_SMALL;
        memmove(out, in, in_len);
    }
    len = (int)in_len;
    status = rtcp ? srtp_unprotect_rtcp(ctx, out, &len)
                  : srtp_unprotect(ctx, out, &len);
    if (status != srtp_err_status_ok)
        return status;
    *out_len = (size_t)len;
    return srtp_err_status_ok;
}

srtp_err_status_t cm_srtp3_protect(srtp_t ctx,
                                   const uint8_t *rtp,
                                   size_t rtp_len,
                                   uint8_t *srtp,
                                   size_t *srtp_len,
                                   size_t mki_index)
{
    (void)mki_index;
    return cm_protect(ctx, rtp, rtp_len, srtp, srtp_len, 0);
}

srtp_err_status_t cm_srtp3_unprotect(srtp_t ctx,
                                     const uint8_t *srtp,
                                     size_t srtp_len,
                                     uint8_t *rtp,
                                     size_t *rtp_len)
{
    return cm_unprotect(ctx, srtp, srtp_len, rtp, rtp_len, 0);
}

srtp_err_status_t cm_srtp3_protect_rtcp(srtp_t ctx,
                                        const uint8_t *rtcp,
                                        size_t rtcp_len,
                                        uint8_t *srtcp,
                                        size_t *srtcp_len,
                                        size_t mki_index)
{
    (void)mki_index;
    return cm_protect(ctx, rtcp, rtcp_len, srtcp, srtcp_len, 1);
}

srtp_err_status_t cm_srtp3_unprotect_rtcp(srtp_t ctx,
                                          const uint8_t *srtcp,
                                          size_t srtcp_len,
                                          uint8_t *rtcp,
                                          size_t *rtcp_len)
{
    return cm_unprotect(ctx, srtcp, srtcp_len, rtcp, rtcp_len, 1);
}

srtp_err_status_t cm_srtp3_stream_remove(srtp_t session, uint32_t ssrc)
{
    return srtp_remove_stream(session, (unsigned int)ssrc);
}
