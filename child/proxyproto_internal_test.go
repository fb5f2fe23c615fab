package child

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"
)

// proxyV2 builds a version 2 header.
func proxyV2(cmd, fam byte, body []byte) []byte {
	b := append([]byte(nil), proxyV2Sig...)
	b = append(b, 0x20|cmd, fam)
	b = binary.BigEndian.AppendUint16(b, uint16(len(body)))
	return append(b, body...)
}

func TestParseProxyHeader(t *testing.T) {
	v4 := []byte{198, 51, 100, 7, 127, 0, 0, 1, 0x11, 0x5c, 0, 80}
	v6 := append(append(netip.MustParseAddr("2001:db8::7").AsSlice(), netip.MustParseAddr("::1").AsSlice()...), 0x11, 0x5e, 0, 80)
	for _, tt := range []struct {
		name string
		in   string
		n    int    // bytes taken, 0 for an error or need-more
		src  string // "" when the header names no client
		ah   string // the error's code, "-" for need-more, "" for none
	}{
		{"v1 tcp4", "PROXY TCP4 203.0.113.9 127.0.0.1 5555 80\r\nGET", 42, "203.0.113.9:5555", ""},
		{"v1 tcp6", "PROXY TCP6 2001:db8::9 ::1 5556 80\r\n", 36, "[2001:db8::9]:5556", ""},
		{"v1 unknown", "PROXY UNKNOWN whatever\r\nGET", 24, "", ""},
		{"v1 partial", "PROXY TCP4 203.0.113.9", 0, "", "-"},
		{"v1 prefix", "PRO", 0, "", "-"},
		{"v1 family", "PROXY TCP5 1.2.3.4 1.2.3.4 1 2\r\n", 0, "", "AH03499"},
		{"v1 address", "PROXY TCP4 1.2.3.x 1.2.3.4 1 2\r\n", 0, "", "AH03500"},
		{"v1 v6 as tcp4", "PROXY TCP4 ::1 1.2.3.4 1 2\r\n", 0, "", "AH03500"},
		{"v1 port", "PROXY TCP4 1.2.3.4 1.2.3.4 99999 2\r\n", 0, "", "AH03501"},
		{"v1 port zero-led", "PROXY TCP4 1.2.3.4 1.2.3.4 080 2\r\n", 0, "", "AH03501"},
		{"v1 short", "PROXY TCP4 1.2.3.4 1.2.3.4 1\r\n", 0, "", "AH03497"},
		{"v1 long", "PROXY TCP4 " + string(make([]byte, 120)), 0, "", ""},
		{"not proxy", "GET / HTTP/1.1\r\n", 0, "", ""},
		{"v2 tcp4", string(proxyV2(1, 0x11, v4)) + "GET", 28, "198.51.100.7:4444", ""},
		{"v2 tlv", string(proxyV2(1, 0x11, append(v4, 4, 0, 2, 'a', 'b'))), 33, "198.51.100.7:4444", ""},
		{"v2 tcp6", string(proxyV2(1, 0x21, v6)), 52, "[2001:db8::7]:4446", ""},
		{"v2 local", string(proxyV2(0, 0, nil)), 16, "", ""},
		{"v2 unspec", string(proxyV2(1, 0, nil)), 16, "", ""},
		{"v2 partial", string(proxyV2(1, 0x11, v4)[:20]), 0, "", "-"},
		{"v2 sig partial", string(proxyV2Sig[:5]), 0, "", "-"},
		{"v2 udp", string(proxyV2(1, 0x12, v4)), 0, "", "AH10183"},
		{"v2 command", string(proxyV2(2, 0x11, v4)), 0, "", "AH03507"},
		{"v2 short body", string(proxyV2(1, 0x11, v4[:6])), 0, "", ""},
		{"v2 too long", string(proxyV2(1, 0x11, make([]byte, 2000))), 0, "", "AH10186"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n, src, err := parseProxyHeader([]byte(tt.in))
			var pe *proxyError
			switch {
			case tt.ah == "-":
				if !errors.Is(err, errProxyNeedMore) {
					t.Fatalf("err %v, want need-more", err)
				}
			case tt.n == 0:
				if !errors.As(err, &pe) || pe.ah != tt.ah {
					t.Fatalf("err %v, want a proxyError %q", err, tt.ah)
				}
			default:
				if err != nil || n != tt.n {
					t.Fatalf("n %d err %v, want %d", n, err, tt.n)
				}
				if got := src.String(); src.IsValid() && got != tt.src || !src.IsValid() && tt.src != "" {
					t.Errorf("client %v, want %q", src, tt.src)
				}
			}
		})
	}
}

// FuzzParseProxyHeader: any input is need-more, an error or a header no
// longer than the input, with a client that is valid or absent.
func FuzzParseProxyHeader(f *testing.F) {
	f.Add([]byte("PROXY TCP4 203.0.113.9 127.0.0.1 5555 80\r\nGET"))
	f.Add([]byte("PROXY UNKNOWN\r\n"))
	f.Add(proxyV2(1, 0x11, []byte{198, 51, 100, 7, 127, 0, 0, 1, 0x11, 0x5c, 0, 80}))
	f.Add(proxyV2(1, 0x21, make([]byte, 36)))
	f.Fuzz(func(t *testing.T, b []byte) {
		n, src, err := parseProxyHeader(b)
		if err != nil {
			var pe *proxyError
			if !errors.Is(err, errProxyNeedMore) && !errors.As(err, &pe) {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		if n <= 0 || n > len(b) || src.IsValid() && src.Addr().Is4In6() {
			t.Fatalf("n %d of %d, client %v", n, len(b), src)
		}
	})
}
