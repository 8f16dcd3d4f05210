/**
 * Where the sync ident (DESIGN.md §2) lives on Exchange items. One GUID for both protocols,
 * so an item written through EWS is recognised through Graph and vice versa.
 */

/** Property set of the connector's extended properties (MAPI named property, string name). */
export const CRM_SYNC_PROPERTY_SET_ID = '7e3b2f4a-9c1d-4e8b-a6f5-2d0c8b9e1f37';
export const CRM_SYNC_PROPERTY_NAME = 'CrmSyncKey';

/** Graph singleValueExtendedProperty id: `String {GUID} Name CrmSyncKey`. */
export const GRAPH_IDENT_PROPERTY_ID = `String {${CRM_SYNC_PROPERTY_SET_ID}} Name ${CRM_SYNC_PROPERTY_NAME}`;

/** To Do tasks carry the ident as linkedResources[].externalId with this application name. */
export const TODO_LINKED_RESOURCE_APP = 'CRM Sync';

/** Display name of the folders the connector creates (F1). */
export const DEFAULT_SYNC_FOLDER_NAME = 'CRM-Sync';
export const MAIL_SUBFOLDERS = { accounts: 'Accounts', contacts: 'Contacts', leads: 'Leads', partner: 'Partner' } as const;
