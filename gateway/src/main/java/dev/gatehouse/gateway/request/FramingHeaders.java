package dev.gatehouse.gateway.request;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.util.AsciiString;

/**
 * The headers of a decoded message, remembering what the decoder's normalisation hides: how many Content-Length
 * values the message carried, and how many Transfer-Encoding and Host fields. Netty refuses differing lengths on HTTP/1.1 but takes the first on HTTP/1.0 and then
 * keeps only that one; a peer reading the same bytes may take another — so the edge refuses any message that
 * carried more than one, on requests ({@link RequestValidator}) and upstream responses alike. Validates names and
 * values exactly as Netty's default headers do.
 */
public final class FramingHeaders extends DefaultHttpHeaders {
    private static final DefaultHttpHeadersFactory DEFAULTS = DefaultHttpHeadersFactory.headersFactory();

    /** For {@code HttpDecoderConfig.setHeadersFactory}. */
    public static final HttpHeadersFactory FACTORY = new HttpHeadersFactory() {
        @Override
        public HttpHeaders newHeaders() {
            return new FramingHeaders();
        }

        @Override
        public HttpHeaders newEmptyHeaders() {
            return new FramingHeaders();
        }
    };

    private int contentLengths;
    private int transferEncodings;
    private int hosts;

    private FramingHeaders() {
        super(DEFAULTS.getNameValidator(), DEFAULTS.getValueValidator());
    }

    @Override
    public HttpHeaders add(String name, Object value) {
        count(name, value);
        return super.add(name, value);
    }

    @Override
    public HttpHeaders add(CharSequence name, Object value) {
        count(name, value);
        return super.add(name, value);
    }

    private void count(CharSequence name, Object value) {
        if (name.length() == 14 && AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.CONTENT_LENGTH)) {
            contentLengths += value instanceof CharSequence v && AsciiString.indexOf(v, ',', 0) >= 0 ? 2 : 1;
        } else if (name.length() == 17 && AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.TRANSFER_ENCODING)) {
            transferEncodings++;
        } else if (name.length() == 4 && AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.HOST)) {
            hosts++;
        }
    }

    /**
     * How many fields named {@code name} (Host or Transfer-Encoding) the message carried as decoded, without building
     * a list per message; for other headers objects, as many as they hold now.
     */
    public static int count(HttpHeaders headers, AsciiString name) {
        if (headers instanceof FramingHeaders f) {
            if (name == HttpHeaderNames.HOST) {
                return f.hosts;
            }
            if (name == HttpHeaderNames.TRANSFER_ENCODING) {
                return f.transferEncodings;
            }
        }
        return headers.getAll(name).size();
    }

    /**
     * Whether the message carried a Transfer-Encoding as it arrived: the decoder removes it from a message that has no
     * body by its status (1xx, 204, 304), where it must not be — and whatever followed would be the next message.
     */
    public static boolean hadTransferEncoding(HttpHeaders headers) {
        return headers instanceof FramingHeaders f && f.transferEncodings > 0;
    }

    /** Whether the message carried more than one Content-Length value (two fields, or a list in one). */
    public static boolean repeatedContentLength(HttpHeaders headers) {
        return headers instanceof FramingHeaders f && f.contentLengths > 1;
    }
}
