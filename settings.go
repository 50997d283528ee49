package civicmon

import "context"

// Settings are instance settings that admins change in the workspace.
type Settings interface {
	// Setting returns a setting's value, "" when it was never set.
	Setting(ctx context.Context, key string) (string, error)
	// SetSetting sets a setting whatever its version (for values the
	// program keeps, such as the API's cursor key).
	SetSetting(ctx context.Context, key, value string) error
	// SettingVersion returns a setting's value and version: 0 when it was
	// never set, one more with every change.
	SettingVersion(ctx context.Context, key string) (string, int64, error)
	// SetSettingAt sets a setting that is still at version (0: never set)
	// and returns its new version; a *StaleError when someone changed it
	// meanwhile.
	SetSettingAt(ctx context.Context, key, value string, version int64) (int64, error)
}

// SettingRequire2FA lists the roles (comma-separated) that must use
// two-step sign-in: their accounts open nothing but the enrolment page
// until they have turned it on.
const SettingRequire2FA = "require_2fa_roles"

// SettingAPICursorKey holds the API's cursor key: 32 random bytes in
// unpadded base64url, made on first use, with which the API signs its
// pagination cursors (HMAC-SHA256) so that a cursor it did not make is
// refused. It is a secret: SecretSetting keeps it out of the audit log.
const SettingAPICursorKey = "api_cursor_key"

// SecretSetting reports whether a setting's value is a secret, which the
// audit log records as changed without the value.
func SecretSetting(key string) bool { return key == SettingAPICursorKey }
