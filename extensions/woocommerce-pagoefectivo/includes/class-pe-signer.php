<?php
/**
 * Plugin → bridge request signing. Must match apps/woocommerce/src/plugin-auth.ts byte for byte:
 * hex(HMAC-SHA256(secret, "{timestamp}\n{METHOD}\n{path}\n{body}")).
 * Pure PHP on purpose (no WordPress calls) so the fixture script and PHPUnit can load it alone.
 */

defined( 'ABSPATH' ) || exit;

final class PE_Signer {
	const HEADER_STORE     = 'X-PE-Store';
	const HEADER_TIMESTAMP = 'X-PE-Timestamp';
	const HEADER_NONCE     = 'X-PE-Nonce';
	const HEADER_SIGNATURE = 'X-PE-Signature';

	public static function string_to_sign( $timestamp, $method, $path, $body ) {
		return (string) $timestamp . "\n" . strtoupper( (string) $method ) . "\n" . (string) $path . "\n" . (string) $body;
	}

	public static function signature( $secret, $timestamp, $method, $path, $body ) {
		return hash_hmac( 'sha256', self::string_to_sign( $timestamp, $method, $path, $body ), (string) $secret );
	}

	/**
	 * @return array<string,string> Headers to send.
	 */
	public static function headers( $store_id, $secret, $method, $path, $body, $timestamp = null, $nonce = null ) {
		$timestamp = null === $timestamp ? time() : (int) $timestamp;
		$nonce     = null === $nonce ? bin2hex( random_bytes( 16 ) ) : (string) $nonce;
		return array(
			self::HEADER_STORE     => (string) $store_id,
			self::HEADER_TIMESTAMP => (string) $timestamp,
			self::HEADER_NONCE     => $nonce,
			self::HEADER_SIGNATURE => self::signature( $secret, $timestamp, $method, $path, $body ),
		);
	}

	/**
	 * One-time (±5 min) login link to the store's page on the bridge, the same URL as the bridge's
	 * adminLoginUrl(): "{bridge}/admin/v1/login?store=…&ts=…&nonce=…&sig=…", where sig signs
	 * GET and the path with its query (everything before "&sig="), with an empty body.
	 */
	public static function admin_login_url( $bridge_url, $store_id, $secret, $timestamp = null, $nonce = null ) {
		$timestamp = null === $timestamp ? time() : (int) $timestamp;
		$nonce     = null === $nonce ? bin2hex( random_bytes( 16 ) ) : (string) $nonce;
		$path      = '/admin/v1/login?store=' . rawurlencode( (string) $store_id ) . '&ts=' . $timestamp . '&nonce=' . rawurlencode( $nonce );
		return rtrim( (string) $bridge_url, '/' ) . $path . '&sig=' . self::signature( $secret, $timestamp, 'GET', $path, '' );
	}

	/** Constant-time check, used by the PHPUnit test of the TypeScript-made fixtures. */
	public static function verify( $secret, $timestamp, $method, $path, $body, $signature ) {
		return hash_equals( self::signature( $secret, $timestamp, $method, $path, $body ), strtolower( (string) $signature ) );
	}

}
