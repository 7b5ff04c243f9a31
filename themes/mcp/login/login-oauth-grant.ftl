<#--
  Consent page. With the "mcp" attribute (a dynamic client in an MCP realm, see McpLoginFormsProvider) it tells the
  user who is asking, where they will be sent back, which MCP server and which permissions. Otherwise it is
  keycloak.v2's consent page, unchanged.

  Values a client chose (name, client_id, redirect URI) are printed only as ${mcp.x}: FreeMarker escapes them (the
  .ftl output format is HTML), and they never go through msg()/advancedMsg(), which would expand ${key} inside them.
  No ?no_esc, no logo from the client's URL.

  data-consent-item marks the element that stands for each item Keycloak asks consent for (the client itself, the MCP
  server's grant, each new scope), with the text Keycloak's own page would list: for tests and automation only.

  The two pages are separate files, included at render time: FreeMarker parses only the one it shows (start-dev
  and a server without the template cache parse templates on every request).
-->
<#import "template.ftl" as layout>
<#import "buttons.ftl" as buttons>
<#if mcp??>
<#include "mcp-consent.ftl">
<#else>
<#include "keycloak-consent.ftl">
</#if>
