/* fcgi_send.h: a responder's answer as FastCGI stdout records, in as few writes as its size
 * allows. Private to http/ (fcgi.c), and compiled alone into bench/fcgi-bare, whose floor
 * must send the way Kairos sends: it needs libfcgi and libc only. */
#ifndef KAIROS_HTTP_FCGI_SEND_H
#define KAIROS_HTTP_FCGI_SEND_H

#include <fcgiapp.h>
#include <sys/uio.h>

/* At most this many bytes of an answer go through libfcgi's own stream. Its buffer is 8,192
 * bytes with its record headers, and FCGX_Finish_r sends what it holds with the 24 bytes of
 * end records: an answer this short leaves in one write, as it always has. */
#define HTTP_FCGI_BUFFERED	8000

/* How many pieces one answer may have (a head and a body; a test may use more). */
#define HTTP_FCGI_MAX_PIECES	8

/* Sends the concatenation of pieces[0..n) as request fr's stdout, before FCGX_Finish_r.
 * An answer of up to HTTP_FCGI_BUFFERED bytes goes through libfcgi (one write, at the
 * finish). A longer one goes straight to fr's socket, all but its last HTTP_FCGI_BUFFERED
 * bytes in records of up to 65,535 bytes and one writev; the last bytes go through libfcgi
 * and leave with the end records. So any answer takes at most two writes, where libfcgi
 * alone makes one for every 8 KB (ten for a 77 KB page).
 * fr's stdout must be untouched before the call. Returns 0, or -1 when the socket failed
 * (the client is gone; nothing more is sent) or n is out of range. The pieces stay the
 * caller's. */
int http_fcgi_send(FCGX_Request *fr, const struct iovec *pieces, int n);

#endif
