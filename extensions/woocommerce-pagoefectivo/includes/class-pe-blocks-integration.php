<?php
/**
 * Block checkout support. No JS payment-setup handler: the Store API then calls the classic
 * process_payment(), so both checkouts share one code path.
 */

defined( 'ABSPATH' ) || exit;

use Automattic\WooCommerce\Blocks\Payments\Integrations\AbstractPaymentMethodType;

final class PE_Blocks_Integration extends AbstractPaymentMethodType {
	protected $name = 'pagoefectivo';

	public function initialize() {
		$settings       = get_option( 'woocommerce_pagoefectivo_settings', array() );
		$this->settings = is_array( $settings ) ? $settings : array();
	}

	public function is_active() {
		return isset( $this->settings['enabled'] ) && 'yes' === $this->settings['enabled'];
	}

	public function get_payment_method_script_handles() {
		wp_register_script(
			'pagoefectivo-blocks',
			plugins_url( 'assets/js/blocks.js', PAGOEFECTIVO_PLUGIN_FILE ),
			array( 'wc-blocks-registry', 'wc-settings', 'wp-element', 'wp-html-entities' ),
			PAGOEFECTIVO_VERSION,
			true
		);
		if ( function_exists( 'wp_set_script_translations' ) ) {
			wp_set_script_translations( 'pagoefectivo-blocks', 'woocommerce-pagoefectivo', dirname( PAGOEFECTIVO_PLUGIN_FILE ) . '/languages' );
		}
		return array( 'pagoefectivo-blocks' );
	}

	public function get_payment_method_data() {
		return array(
			'title'       => isset( $this->settings['title'] ) ? $this->settings['title'] : __( 'PagoEfectivo', 'woocommerce-pagoefectivo' ),
			'description' => isset( $this->settings['description'] ) ? $this->settings['description'] : '',
			'supports'    => array( 'products', 'refunds' ),
		);
	}
}
