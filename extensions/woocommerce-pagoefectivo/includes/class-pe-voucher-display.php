<?php
/**
 * Shows the voucher (CIP, amount, deadline, how to pay, link to the hosted voucher page) on the
 * thank-you page, in the customer's on-hold email and in My Account › order. Never in admin emails.
 */

defined( 'ABSPATH' ) || exit;

class PE_Voucher_Display {
	public static function register() {
		add_action( 'woocommerce_thankyou_' . PAGOEFECTIVO_GATEWAY_ID, array( __CLASS__, 'thankyou' ), 10, 1 );
		add_action( 'woocommerce_email_before_order_table', array( __CLASS__, 'email' ), 10, 4 );
		add_action( 'woocommerce_view_order', array( __CLASS__, 'view_order' ), 5, 1 );
	}

	public static function thankyou( $order_id ) {
		$order = wc_get_order( $order_id );
		if ( $order ) {
			echo self::html( $order ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in html().
		}
	}

	public static function view_order( $order_id ) {
		$order = wc_get_order( $order_id );
		if ( $order && PAGOEFECTIVO_GATEWAY_ID === $order->get_payment_method() ) {
			echo self::html( $order ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in html().
		}
	}

	public static function email( $order, $sent_to_admin, $plain_text, $email = null ) {
		if ( $sent_to_admin || ! $order || PAGOEFECTIVO_GATEWAY_ID !== $order->get_payment_method() ) {
			return;
		}
		if ( ! $email || ! isset( $email->id ) || 'customer_on_hold_order' !== $email->id ) {
			return;
		}
		echo $plain_text ? self::text( $order ) : self::html( $order ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in text()/html().
	}

	/** Only an on-hold order with a CIP still has something to pay. */
	private static function voucher( $order ) {
		$cip = (string) $order->get_meta( WC_Gateway_PagoEfectivo_Meta::CIP );
		if ( '' === $cip || 'on-hold' !== $order->get_status() ) {
			return null;
		}
		$expires = (string) $order->get_meta( WC_Gateway_PagoEfectivo_Meta::EXPIRES_AT );
		$ts      = strtotime( $expires );
		return array(
			'cip'         => $cip,
			'amount'      => wp_strip_all_tags( wc_price( $order->get_total(), array( 'currency' => $order->get_currency() ) ) ),
			// The text says "(hora de Lima)": format in Lima whatever the site's own timezone is.
			'deadline'    => false === $ts ? $expires : wp_date( 'd/m/Y H:i', $ts, new DateTimeZone( 'America/Lima' ) ),
			'voucher_url' => (string) $order->get_meta( WC_Gateway_PagoEfectivo_Meta::VOUCHER_URL ),
		);
	}

	public static function html( $order ) {
		$v = self::voucher( $order );
		if ( null === $v ) {
			return '';
		}
		$out  = '<section class="pagoefectivo-voucher">';
		$out .= '<h2>' . esc_html__( 'Paga con PagoEfectivo', 'woocommerce-pagoefectivo' ) . '</h2>';
		$out .= '<p>' . esc_html__( 'Código de pago (CIP):', 'woocommerce-pagoefectivo' ) . ' <strong>' . esc_html( $v['cip'] ) . '</strong></p>';
		$out .= '<p>' . esc_html__( 'Monto:', 'woocommerce-pagoefectivo' ) . ' ' . esc_html( $v['amount'] ) . '</p>';
		$out .= '<p>' . esc_html__( 'Paga antes de:', 'woocommerce-pagoefectivo' ) . ' ' . esc_html( $v['deadline'] ) . ' ' . esc_html__( '(hora de Lima)', 'woocommerce-pagoefectivo' ) . '</p>';
		$out .= '<p>' . esc_html__( 'Paga en agentes y bancos (BCP, BBVA, Interbank, Scotiabank y otros) o desde tu banca móvil, indicando que pagas un servicio de PagoEfectivo con tu CIP.', 'woocommerce-pagoefectivo' ) . '</p>';
		if ( '' !== $v['voucher_url'] ) {
			$out .= '<p><a class="button" href="' . esc_url( $v['voucher_url'] ) . '" target="_blank" rel="noopener">' . esc_html__( 'Ver instrucciones de pago', 'woocommerce-pagoefectivo' ) . '</a></p>';
		}
		return $out . '</section>';
	}

	public static function text( $order ) {
		$v = self::voucher( $order );
		if ( null === $v ) {
			return '';
		}
		$lines = array(
			__( 'Paga con PagoEfectivo', 'woocommerce-pagoefectivo' ),
			__( 'Código de pago (CIP):', 'woocommerce-pagoefectivo' ) . ' ' . $v['cip'],
			__( 'Monto:', 'woocommerce-pagoefectivo' ) . ' ' . $v['amount'],
			__( 'Paga antes de:', 'woocommerce-pagoefectivo' ) . ' ' . $v['deadline'] . ' ' . __( '(hora de Lima)', 'woocommerce-pagoefectivo' ),
		);
		if ( '' !== $v['voucher_url'] ) {
			$lines[] = esc_url_raw( $v['voucher_url'] );
		}
		return esc_html( implode( "\n", $lines ) ) . "\n\n";
	}
}

/** Meta keys, usable before WooCommerce (and the gateway class) is loaded. */
final class WC_Gateway_PagoEfectivo_Meta {
	const CIP         = '_pagoefectivo_cip';
	const EXPIRES_AT  = '_pagoefectivo_cip_expires_at';
	const VOUCHER_URL = '_pagoefectivo_voucher_url';
}
