package civicmon

import "slices"

// Permission is one thing an account may do, as a string in the
// resource:action form (after listmonk). Roles are sets of permissions;
// every check asks for a permission, never for a role.
type Permission string

const (
	PermUpdatesCreate   Permission = "updates:create"   // write drafts, edit one's own drafts
	PermUpdatesSubmit   Permission = "updates:submit"   // send one's own draft for review
	PermUpdatesEditAny  Permission = "updates:edit_any" // edit anyone's update
	PermUpdatesPublish  Permission = "updates:publish"  // publish, unpublish, archive, request changes
	PermRatingsPropose  Permission = "ratings:propose"
	PermRatingsApprove  Permission = "ratings:approve"
	PermWatchlistManage Permission = "watchlist:manage"
	PermHistoryRead     Permission = "history:read" // revisions and their diffs
	PermUsersManage     Permission = "users:manage"
	PermVocabManage     Permission = "vocab:manage"
	PermSettingsManage  Permission = "settings:manage"
	PermAuditRead       Permission = "audit:read"
	// PermAdminAccess is held by every role: it opens the workspace.
	PermAdminAccess Permission = "admin:access"
)

// AllPermissions lists every permission.
var AllPermissions = []Permission{PermAdminAccess, PermUpdatesCreate, PermUpdatesSubmit, PermUpdatesEditAny,
	PermUpdatesPublish, PermRatingsPropose, PermRatingsApprove, PermWatchlistManage, PermHistoryRead,
	PermUsersManage, PermVocabManage, PermSettingsManage, PermAuditRead}

var rolePermissions = map[Role][]Permission{
	RoleResearcher: {PermAdminAccess, PermUpdatesCreate, PermUpdatesSubmit},
	RoleEditor: {PermAdminAccess, PermUpdatesCreate, PermUpdatesSubmit, PermUpdatesEditAny, PermUpdatesPublish,
		PermRatingsPropose, PermWatchlistManage, PermHistoryRead},
	RoleReviewer: {PermAdminAccess, PermRatingsApprove, PermHistoryRead},
	RoleAdmin:    AllPermissions,
}

// Can reports whether the role holds the permission.
func (r Role) Can(p Permission) bool { return slices.Contains(rolePermissions[r], p) }

// Permissions lists the role's permissions.
func (r Role) Permissions() []Permission { return append([]Permission(nil), rolePermissions[r]...) }
