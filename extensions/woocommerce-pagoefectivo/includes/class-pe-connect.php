<?php
/**
 * "Conectar con PagoEfectivo": sends the admin through the bridge to WooCommerce's app
 * authorization, then exchanges the one-time claim code for the store id and shared secret.
 * "Abrir la configuración en PagoEfectivo": signs a one-time login link to the store's page on
 * the bridge (credentials, CIP validity, channels, credit notes) at the moment it is clicked.
 */

defined( 'ABSPATH' ) || exit;

class PE_Connect {
	const ACTION_START    = 'pagoefectivo_connect';
	const ACTION_RETURN   = 'pagoefectivo_connected';
	const ACTION_ADMIN    = 'pagoefectivo_bridge_admin';
	const OPTION_SETTINGS = 'woocommerce_pagoefectivo_settings';

	public static function register() {
		add_action( 'admin_post_' . self::ACTION_START, array( __CLASS__, 'start' ) );
		add_action( 'admin_post_' . self::ACTION_RETURN, array( __CLASS__, 'finish' ) );
		add_action( 'admin_post_' . self::ACTION_ADMIN, array( __CLASS__, 'open_bridge_admin' ) );
	}

	/** The settings-page link to the bridge's admin page (signed only when it is followed). */
	public static function bridge_admin_url() {
		return wp_nonce_url( admin_url( 'admin-post.php?action=' . self::ACTION_ADMIN ), self::ACTION_ADMIN );
	}

	/** True once the store holds what signing needs: the bridge URL, store id and shared secret. */
	public static function is_connected( $settings = null ) {
		$settings = null === $settings ? self::settings() : $settings;
		foreach ( array( 'bridge_url', 'store_id', 'shared_secret' ) as $key ) {
			if ( empty( $settings[ $key ] ) ) {
				return false;
			}
		}
		return true;
	}

	private static function settings() {
		$settings = get_option( self::OPTION_SETTINGS, array() );
		return is_array( $settings ) ? $settings : array();
	}

	private static function settings_url( $args = array() ) {
		return add_query_arg( array_merge( array( 'page' => 'wc-settings', 'tab' => 'checkout', 'section' => PAGOEFECTIVO_GATEWAY_ID ), $args ), admin_url( 'admin.php' ) );
	}

	public static function start() {
		if ( ! current_user_can( 'manage_woocommerce' ) ) {
			wp_die( esc_html__( 'No tiene permiso para hacer esto.', 'woocommerce-pagoefectivo' ), '', array( 'response' => 403 ) );
		}
		check_admin_referer( self::ACTION_START );
		$settings = self::settings();
		$bridge   = isset( $settings['bridge_url'] ) ? rtrim( (string) $settings['bridge_url'], '/' ) : '';
		if ( '' === $bridge || 0 !== strpos( $bridge, 'https://' ) ) {
			wp_safe_redirect( self::settings_url( array( 'pe_error' => 'bridge_url' ) ) );
			exit;
		}
		$return = wp_nonce_url( admin_url( 'admin-post.php?action=' . self::ACTION_RETURN ), self::ACTION_RETURN );
		$target = add_query_arg(
			array(
				'store_url'  => rawurlencode( home_url() ),
				'return_url' => rawurlencode( html_entity_decode( $return ) ),
			),
			$bridge . '/wc-auth/v1/start'
		);
		// The bridge is on another host, so wp_safe_redirect would refuse it.
		wp_redirect( $target ); // phpcs:ignore WordPress.Security.SafeRedirect.wp_redirect_wp_redirect
		exit;
	}

	public static function finish() {
		if ( ! current_user_can( 'manage_woocommerce' ) ) {
			wp_die( esc_html__( 'No tiene permiso para hacer esto.', 'woocommerce-pagoefectivo' ), '', array( 'response' => 403 ) );
		}
		check_admin_referer( self::ACTION_RETURN );
		$claim = isset( $_GET['pe_claim'] ) ? sanitize_text_field( wp_unslash( $_GET['pe_claim'] ) ) : '';
		if ( '' === $claim ) {
			wp_safe_redirect( self::settings_url( array( 'pe_error' => 'denied' ) ) );
			exit;
		}
		$settings = self::settings();
		$client   = new PE_Bridge_Client( isset( $settings['bridge_url'] ) ? $settings['bridge_url'] : '', '', '' );
		$result   = $client->claim( $claim );
		if ( is_wp_error( $result ) || empty( $result['store_id'] ) || empty( $result['shared_secret'] ) ) {
			wp_safe_redirect( self::settings_url( array( 'pe_error' => 'claim' ) ) );
			exit;
		}
		$settings['store_id']      = sanitize_text_field( (string) $result['store_id'] );
		$settings['shared_secret'] = sanitize_text_field( (string) $result['shared_secret'] );
		update_option( self::OPTION_SETTINGS, $settings );
		wp_safe_redirect( self::settings_url( array( 'pe_connected' => '1' ) ) );
		exit;
	}

	/**
	 * Redirects a shop manager to the bridge's page for this store. The link is made now because
	 * it is valid five minutes and once; the bridge is another host, hence wp_redirect.
	 */
	public static function open_bridge_admin() {
		if ( ! current_user_can( 'manage_woocommerce' ) ) {
			wp_die( esc_html__( 'No tiene permiso para hacer esto.', 'woocommerce-pagoefectivo' ), '', array( 'response' => 403 ) );
		}
		check_admin_referer( self::ACTION_ADMIN );
		$settings = self::settings();
		if ( ! self::is_connected( $settings ) ) {
			wp_safe_redirect( self::settings_url( array( 'pe_error' => 'not_connected' ) ) );
			exit;
		}
		wp_redirect( PE_Signer::admin_login_url( $settings['bridge_url'], $settings['store_id'], $settings['shared_secret'] ) ); // phpcs:ignore WordPress.Security.SafeRedirect.wp_redirect_wp_redirect
		exit;
	}
}
