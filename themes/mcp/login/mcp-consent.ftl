<#-- The MCP consent page (included by login-oauth-grant.ftl when the "mcp" attribute is set); see there. -->
<@layout.registrationLayout bodyClass="oauth"; section>
    <#if section = "header">
        <span class="mcp-title-part">${msg("mcpConsentTitlePrefix")}</span>
        <bdi class="mcp-client-name" id="mcp-client-name">${mcp.clientName}</bdi>
        <span class="mcp-title-part">${msg("mcpConsentTitleSuffix")}</span>
    <#elseif section = "form">
        <div id="kc-oauth" class="content-area mcp-consent">
            <#if mcp.verifiedHost??>
                <div class="mcp-identity mcp-identity-verified" id="mcp-identity"<#if mcp.clientItem??> data-consent-item="${mcp.clientItem}"</#if>>
                    <p class="mcp-badge mcp-badge-verified" id="mcp-identity-mark">
                        <span>${msg("mcpConsentVerifiedDomain")}</span>
                        <bdi class="mcp-mono" id="mcp-verified-host">${mcp.verifiedHost}</bdi>
                    </p>
                    <p class="mcp-help">${msg("mcpConsentVerifiedHelp")}</p>
                </div>
            <#else>
                <div class="mcp-identity mcp-identity-unverified" id="mcp-identity"<#if mcp.clientItem??> data-consent-item="${mcp.clientItem}"</#if>>
                    <p class="mcp-badge mcp-badge-unverified" id="mcp-identity-mark">
                        <span class="mcp-icon" aria-hidden="true">!</span>
                        <span>${msg("mcpConsentUnverified")}</span>
                    </p>
                    <p class="mcp-help">${msg("mcpConsentUnverifiedHelp")}</p>
                </div>
            </#if>

            <section class="mcp-section" id="mcp-redirect" aria-labelledby="mcp-redirect-heading">
                <h2 class="mcp-heading" id="mcp-redirect-heading">${msg("mcpConsentRedirectHeading")}</h2>
                <#if mcp.redirectHost??>
                    <p class="mcp-redirect-host" id="mcp-redirect-host"><bdi>${mcp.redirectHost}</bdi></p>
                </#if>
                <#if mcp.loopback>
                    <div class="mcp-alert mcp-alert-warning" id="mcp-loopback-warning">
                        <p class="mcp-alert-title"><span class="mcp-icon" aria-hidden="true">!</span> ${msg("mcpConsentLoopbackTitle")}</p>
                        <p>${msg("mcpConsentLoopbackText")}</p>
                    </div>
                <#elseif mcp.privateUseScheme>
                    <p class="mcp-help">${msg("mcpConsentAppSchemeText")}</p>
                <#elseif mcp.webRedirect>
                    <p class="mcp-help">${msg("mcpConsentWebText")}</p>
                </#if>
                <#if mcp.redirectUri??>
                    <p class="mcp-detail">${msg("mcpConsentRedirectFull")} <bdi class="mcp-mono" id="mcp-redirect-uri">${mcp.redirectUri}</bdi></p>
                </#if>
            </section>

            <section class="mcp-section" id="mcp-server" aria-labelledby="mcp-server-heading"<#if mcp.serverItem??> data-consent-item="${mcp.serverItem}"</#if>>
                <h2 class="mcp-heading" id="mcp-server-heading">${msg("mcpConsentServerHeading")}</h2>
                <#if mcp.serverNamed>
                    <p class="mcp-server-name" id="mcp-server-name"><bdi>${mcp.serverName}</bdi></p>
                    <p class="mcp-mono" id="mcp-server-uri"><bdi>${mcp.serverUri}</bdi></p>
                    <p class="mcp-help">${msg("mcpConsentServerHelp")}<#if mcp.serverAllowedBefore> ${msg("mcpConsentServerAllowedBefore")}</#if></p>
                <#else>
                    <p id="mcp-no-server">${msg("mcpConsentNoServer")}</p>
                </#if>
            </section>

            <section class="mcp-section" id="mcp-permissions" aria-labelledby="mcp-scopes-heading">
                <h2 class="mcp-heading" id="mcp-scopes-heading">${msg("mcpConsentScopesHeading")}</h2>
                <#if mcp.scopes?has_content || mcp.offlineAccess>
                    <ul class="mcp-scopes" id="mcp-scopes">
                        <#list mcp.scopes as scope>
                            <#-- scope.text is the realm's consent text (admin-defined, may be ${key}), as on Keycloak's
                                 page. A parameter is only a MessageFormat argument: advancedMsg does not resolve ${}
                                 in arguments, and the result is escaped. -->
                            <#if scope.parameter??><#assign scopeText = advancedMsg(scope.text, scope.parameter)><#else><#assign scopeText = advancedMsg(scope.text)></#if>
                            <li class="mcp-scope<#if scope.granted> mcp-scope-granted</#if>"<#if scope.pending> data-consent-item="${scopeText}"</#if>>
                                <span class="mcp-scope-text">${scopeText}</span>
                                <#if scope.granted><span class="mcp-scope-note">${msg("mcpConsentScopeGranted")}</span></#if>
                            </li>
                        </#list>
                        <#if mcp.offlineAccess>
                            <li class="mcp-scope mcp-scope-offline" id="mcp-offline"<#if mcp.offline.pending> data-consent-item="${advancedMsg(mcp.offline.text)}"</#if>>
                                <span class="mcp-scope-text"><strong>${msg("mcpConsentOfflineTitle")}</strong></span>
                                <span class="mcp-scope-note">${msg("mcpConsentOfflineText")}</span>
                            </li>
                        </#if>
                    </ul>
                <#else>
                    <p id="mcp-no-scopes">${msg("mcpConsentNoScopes")}</p>
                </#if>
            </section>

            <section class="mcp-section" id="mcp-about" aria-labelledby="mcp-about-heading">
                <h2 class="mcp-heading" id="mcp-about-heading">${msg("mcpConsentAboutHeading")}</h2>
                <ul class="mcp-facts">
                    <#if mcp.registeredAtText??>
                        <li id="mcp-registered">${msg("mcpConsentRegistered")}
                            <time datetime="${mcp.registeredAtIso}">${mcp.registeredAtText} ${msg("mcpConsentUtc")}</time>
                            <span aria-hidden="true">·</span>
                            <span class="mcp-age">${msg(mcp.registeredAgeKey, mcp.registeredAgeValue)}</span>
                        </li>
                    </#if>
                    <li id="mcp-allowed-before"><#if mcp.allowedBefore>${msg("mcpConsentAllowedBefore")}<#else>${msg("mcpConsentFirstTime")}</#if></li>
                    <li id="mcp-method">${msg(mcp.registrationMethodKey)}</li>
                    <li id="mcp-client-id">${msg("mcpConsentClientId")} <bdi class="mcp-mono">${mcp.clientId}</bdi></li>
                </ul>
            </section>

            <form class="${properties.kcFormClass} mcp-decision" action="${url.oauthAction}" method="POST">
                <input type="hidden" name="code" value="${oauth.code}">
                <@buttons.actionGroup horizontal=true>
                    <@buttons.button id="kc-login" name="accept" label="mcpConsentAllow"/>
                    <@buttons.button id="kc-cancel" name="cancel" label="mcpConsentDeny" type="secondary"/>
                </@buttons.actionGroup>
            </form>
            <p class="mcp-help mcp-revoke">${msg("mcpConsentRevokeHint")}</p>
        </div>
    </#if>
</@layout.registrationLayout>
