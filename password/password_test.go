package password

import (
	"errors"
	"strings"
	"testing"
)

// cheap keeps the tests fast; the format and checks are the same.
var cheap = Params{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

func TestHashVerify(t *testing.T) {
	h, err := Hash("correct horse battery", cheap)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("hash %q is not in PHC argon2id format", h)
	}
	if err := Verify("correct horse battery", h); err != nil {
		t.Fatalf("right password: %v", err)
	}
	if err := Verify("wrong horse battery", h); !errors.Is(err, ErrMismatch) {
		t.Fatalf("wrong password: %v", err)
	}
	h2, _ := Hash("correct horse battery", cheap)
	if h == h2 {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
	if err := Verify("x", "$2a$10$bcrypt"); err == nil {
		t.Fatal("accepted a non-argon2id hash")
	}
}

func TestCheck(t *testing.T) {
	if err := Check("short"); err == nil || err.Error() != "password: is 5 characters long; at least 10 are required" {
		t.Fatalf("Check(short) = %v", err)
	}
	if err := Check("long enough password"); err != nil {
		t.Fatal(err)
	}
}
