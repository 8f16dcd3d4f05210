import { GRAPH_IDENT_PROPERTY_ID } from '../ident';

/** $expand that reads the pairing ident (the CrmSyncKey extended property, DESIGN.md §2) with an item. */
export const IDENT_EXPAND = `singleValueExtendedProperties($filter=id eq '${GRAPH_IDENT_PROPERTY_ID}')`;
