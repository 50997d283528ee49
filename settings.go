package civicmon

import "context"

// Settings are instance settings that admins change in the workspace.
type Settings interface {
	// Setting returns a setting's value, "" when it was never set.
	Setting(ctx context.Context, key string) (string, error)
	SetSetting(ctx context.Context, key, value string) error
}

// SettingRequire2FA lists the roles (comma-separated) that must use
// two-step sign-in: their accounts open nothing but the enrolment page
// until they have turned it on.
const SettingRequire2FA = "require_2fa_roles"
